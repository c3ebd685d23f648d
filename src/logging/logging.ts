import { ConsoleLogger, type LoggerService, type LogLevel } from '@nestjs/common';
import { type FastifyReply, type FastifyServerOptions, LogController } from 'fastify';
import type { MaybeAuthenticatedRequest } from '../auth/api-key.guard.js';
import type { AppConfig } from '../config/config.js';
import { routePattern } from '../http/route-pattern.js';

// LOG_FORMAT=text: Nest's lines for a person at a terminal, and no line per request.
// LOG_FORMAT=json: one JSON object a line for a log pipeline, Nest's and one per request
// (from Fastify's logger, pino), both with Nest's fields (level, pid, timestamp, message,
// context) so that a pipeline reads one shape. No line holds a header or a body: API keys,
// the metrics token and what clients send never reach the log.

const LEVELS = ['error', 'warn', 'log', 'debug'] as const satisfies LogLevel[];
const PINO_LEVEL = { error: 'error', warn: 'warn', log: 'info', debug: 'debug' } as const;

/** What NestFactory.create takes as its `logger`. */
export function nestLogger({ LOG_FORMAT, LOG_LEVEL }: AppConfig): LoggerService | LogLevel[] {
  const levels = LEVELS.slice(0, LEVELS.indexOf(LOG_LEVEL) + 1);
  return LOG_FORMAT === 'json' ? new ConsoleLogger({ json: true, logLevels: levels }) : levels;
}

/** For what an operator must see at start whatever LOG_LEVEL says (where it listens, a generated key): in the log's format. */
export function startupLog({ LOG_FORMAT }: AppConfig): (line: string) => void {
  if (LOG_FORMAT === 'text') return (line) => console.log(line);
  const logger = new ConsoleLogger('IncidentLedger', { json: true, logLevels: ['log'] });
  return (line) => logger.log(line);
}

/** Fastify's logger: off in text, the request log in json. */
export function fastifyLogging({ LOG_FORMAT, LOG_LEVEL }: AppConfig): Pick<FastifyServerOptions, 'logger' | 'logController'> {
  if (LOG_FORMAT === 'text') return {};
  return {
    logger: {
      level: PINO_LEVEL[LOG_LEVEL],
      base: { pid: process.pid },
      messageKey: 'message',
      timestamp: () => `,"timestamp":${Date.now()}`,
      formatters: { level: (label) => ({ level: label === 'info' ? 'log' : label }) },
    },
    logController: new RequestLog({ requestIdLogLabel: 'requestId' }),
  };
}

/**
 * One line per answered request, in place of Fastify's two (which give the URL, its query
 * included): its id (the causationId of the events it appended), who asked (the key's
 * name), the route's pattern, the status and how long it took.
 */
class RequestLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: MaybeAuthenticatedRequest, reply: FastifyReply): void {
    const line = {
      context: 'Request',
      principal: request.principal?.name,
      method: request.method,
      route: routePattern(request),
      status: reply.statusCode,
      durationMs: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (error) reply.log.error({ ...line, error: error.message }, 'request errored');
    else reply.log.info(line, 'request');
  }
}
