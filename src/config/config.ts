import { z } from 'zod';

// The one place that reads process.env. A bad value stops the service with a message
// naming the variable.

const ROLES = ['reader', 'editor', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface ApiKeyConfig {
  name: string;
  role: Role;
  key: string;
}

const apiKeys = z
  .string()
  .transform((value, ctx): ApiKeyConfig[] => {
    const entries = value.split(',').map((entry) => entry.trim()).filter(Boolean);
    const keys: ApiKeyConfig[] = [];
    for (const [index, entry] of entries.entries()) {
      const [name, role, ...rest] = entry.split(':');
      const key = rest.join(':');
      if (!name || !role || !key) {
        ctx.addIssue({ code: 'custom', message: `entry ${index + 1} is not name:role:key` });
      } else if (!(ROLES as readonly string[]).includes(role)) {
        ctx.addIssue({ code: 'custom', message: `entry ${index + 1} has role "${role}"; roles are ${ROLES.join(', ')}` });
      } else if (key.length < 16) {
        ctx.addIssue({ code: 'custom', message: `entry ${index + 1} ("${name}") has a key shorter than 16 characters` });
      } else {
        keys.push({ name, role: role as Role, key });
      }
    }
    return keys;
  });

const port = z.coerce.number().int().min(0).max(65535);

const schema = z
  .object({
    PORT: port.default(3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATA_DIR: z.string().min(1).default('./.data'),
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    EMBEDDED_POSTGRES_PORT: port.default(54329),
    API_KEYS: apiKeys.optional(),
    EVENT_STORE: z.enum(['postgres', 'eventstoredb']).default('postgres'),
    EVENTSTORE_CONNECTION_STRING: z.string().regex(/^(esdb|kurrentdb)(\+discover)?:\/\//, 'must start with esdb:// or kurrentdb://').optional(),
    BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(50 * 1024 * 1024).default(1024 * 1024),
    LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug']).default('log'),
  })
  .refine((env) => env.EVENT_STORE !== 'eventstoredb' || env.EVENTSTORE_CONNECTION_STRING, {
    path: ['EVENTSTORE_CONNECTION_STRING'],
    message: 'is required when EVENT_STORE=eventstoredb',
  });

export type AppConfig = z.infer<typeof schema>;

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  // An empty variable means "not set", as in most shells' `VAR= cmd`.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = schema.safeParse(present);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return result.data;
}
