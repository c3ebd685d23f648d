import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { toProblem } from './problem.js';

/** Every error, Nest's and Fastify's (body parsing, 404 routes) alike, leaves as problem+json. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    sendProblem(host.switchToHttp().getResponse<FastifyReply>(), error);
  }
}

/** Answers `error` as its problem, from a filter or from a hook before any route. */
export function sendProblem(reply: FastifyReply, error: unknown): FastifyReply {
  const { problem, headers } = toProblem(error);
  return reply.status(problem.status).headers(headers).type('application/problem+json').send(JSON.stringify(problem));
}
