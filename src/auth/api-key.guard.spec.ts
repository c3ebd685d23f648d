import { ForbiddenException, type ExecutionContext, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Public, RequiresRole } from './access.decorators.js';
import { ApiKeyGuard } from './api-key.guard.js';
import { ApiKeys } from './api-keys.js';

class Routes {
  @RequiresRole('editor')
  write() {}

  @RequiresRole('auditor')
  ledger() {}

  @Public()
  health() {}

  forgotten() {}
}

const keys = ApiKeys.fromConfig([
  { name: 'desk', role: 'editor', key: 'editor-key-0123456789' },
  { name: 'audit', role: 'auditor', key: 'auditor-key-0123456789' },
  { name: 'root', role: 'admin', key: 'admin-key-0123456789' },
]);
const guard = new ApiKeyGuard(new Reflector(), keys);

function call(route: keyof Routes, authorization?: string) {
  const request = { headers: { authorization } } as { headers: Record<string, string | undefined>; principal?: unknown };
  const context = {
    getHandler: () => Routes.prototype[route],
    getClass: () => Routes,
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
  return { allowed: () => guard.canActivate(context), request };
}

describe('API key guard', () => {
  it('opens a route to a role that grants what it requires, and records the principal', () => {
    const { allowed, request } = call('write', 'Bearer editor-key-0123456789');
    expect(allowed()).toBe(true);
    expect(request.principal).toEqual({ name: 'desk', role: 'editor' });
    expect(call('write', 'Bearer admin-key-0123456789').allowed()).toBe(true);
  });

  it('refuses a role that does not grant the route’s (an auditor cannot write)', () => {
    expect(() => call('write', 'Bearer auditor-key-0123456789').allowed()).toThrow(ForbiddenException);
    expect(() => call('ledger', 'Bearer editor-key-0123456789').allowed()).toThrow(ForbiddenException);
  });

  it('refuses a missing or unknown key with 401', () => {
    expect(() => call('write').allowed()).toThrow(UnauthorizedException);
    expect(() => call('write', 'Bearer nobody-0123456789').allowed()).toThrow(UnauthorizedException);
    expect(() => call('write', 'Basic ZWRpdG9y').allowed()).toThrow(UnauthorizedException);
  });

  it('keeps a route that declares no role closed, even to an admin', () => {
    expect(() => call('forgotten', 'Bearer admin-key-0123456789').allowed()).toThrow(ForbiddenException);
  });

  it('lets anyone reach a public route', () => {
    expect(call('health').allowed()).toBe(true);
  });
});
