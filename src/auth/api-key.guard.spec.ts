import { ForbiddenException, type ExecutionContext, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AcceptsMetricsToken, Public, RequiresRole } from './access.decorators.js';
import { ApiKeyGuard } from './api-key.guard.js';
import { ApiKeys } from './api-keys.js';
import { MetricsToken } from './metrics-token.js';

class Routes {
  @RequiresRole('editor')
  write() {}

  @RequiresRole('auditor')
  ledger() {}

  @Public()
  health() {}

  @RequiresRole('admin')
  @AcceptsMetricsToken()
  metrics() {}

  forgotten() {}
}

const keys = ApiKeys.fromConfig([
  { name: 'desk', role: 'editor', key: 'editor-key-0123456789' },
  { name: 'audit', role: 'auditor', key: 'auditor-key-0123456789' },
  { name: 'root', role: 'admin', key: 'admin-key-0123456789' },
]);
const guard = new ApiKeyGuard(new Reflector(), keys, new MetricsToken('metrics-token-0123456789'));

function call(route: keyof Routes, authorization?: string, withGuard = guard) {
  const request = { headers: { authorization } } as { headers: Record<string, string | undefined>; principal?: unknown };
  const context = {
    getHandler: () => Routes.prototype[route],
    getClass: () => Routes,
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
  return { allowed: () => withGuard.canActivate(context), request };
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

  it('records who was refused, for the request log', () => {
    const { allowed, request } = call('write', 'Bearer auditor-key-0123456789');
    expect(allowed).toThrow(ForbiddenException);
    expect(request.principal).toEqual({ name: 'audit', role: 'auditor' });
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

  it('opens a route that accepts the metrics token to that token, and to the role it requires', () => {
    const { allowed, request } = call('metrics', 'Bearer metrics-token-0123456789');
    expect(allowed()).toBe(true);
    expect(request.principal).toBeUndefined();
    expect(call('metrics', 'Bearer admin-key-0123456789').allowed()).toBe(true);
    expect(() => call('metrics', 'Bearer editor-key-0123456789').allowed()).toThrow(ForbiddenException);
    expect(() => call('metrics', 'Bearer metrics-token-012345678').allowed()).toThrow(UnauthorizedException);
    expect(() => call('metrics').allowed()).toThrow(UnauthorizedException);
  });

  it('refuses the metrics token on every other route', () => {
    expect(() => call('ledger', 'Bearer metrics-token-0123456789').allowed()).toThrow(UnauthorizedException);
    expect(() => call('forgotten', 'Bearer metrics-token-0123456789').allowed()).toThrow(UnauthorizedException);
  });

  it('accepts no token when none is configured', () => {
    const withoutToken = new ApiKeyGuard(new Reflector(), keys, new MetricsToken(undefined));
    expect(() => call('metrics', 'Bearer metrics-token-0123456789', withoutToken).allowed()).toThrow(UnauthorizedException);
  });
});
