import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { toProblem } from './problem.js';

/** Every error, Nest's and Fastify's (body parsing, 404 routes) alike, leaves as problem+json. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { problem, headers } = toProblem(error);
    void reply.status(problem.status).headers(headers).type('application/problem+json').send(JSON.stringify(problem));
  }
}
