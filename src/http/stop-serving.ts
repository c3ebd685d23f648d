import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { setMaxListeners } from 'node:events';
import type { FastifyInstance } from 'fastify';

/**
 * The service's stop, as its event streams (/stream, /alerts/stream) hear of it: a stream
 * never ends of itself, so each ends when the service begins to stop, and its client
 * reconnects (to another process) with Last-Event-ID.
 */
export class Stopping {
  private readonly stop = new AbortController();

  constructor() {
    // One listener for each stream open, through AbortSignal.any.
    setMaxListeners(0, this.stop.signal);
  }

  get signal(): AbortSignal {
    return this.stop.signal;
  }

  begin(): void {
    this.stop.abort();
  }
}

/**
 * Lets the HTTP server stop. Node's server.close() waits until every connection has ended,
 * and some never end by themselves: an event stream, a kept-alive connection, and one on
 * which a client has sent nothing yet (a browser opens some ahead of need). The service then
 * never stopped. When it begins to stop, the streams end, and connections with no response
 * under way are closed; a request under way gets `graceMs` to be answered, then its
 * connection is closed too.
 */
export function stopServing(fastify: FastifyInstance, stopping: Stopping, graceMs: number): void {
  const server = fastify.server;
  const idle = new Set<Socket>();
  let closing = false;
  server.on('connection', (socket: Socket) => {
    // Accepted in the moment between the stop's beginning and the server's closing.
    if (closing) return socket.destroy();
    idle.add(socket);
    socket.once('close', () => idle.delete(socket));
  });
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    idle.delete(socket);
    response.once('close', () => {
      // Answered while the service stops: nothing more will come on this connection.
      if (closing) socket.end();
      else if (!socket.destroyed) idle.add(socket);
    });
  });
  let cutOff: NodeJS.Timeout | undefined;
  fastify.addHook('preClose', async () => {
    closing = true;
    stopping.begin();
    for (const socket of idle) socket.destroy();
    cutOff = setTimeout(() => server.closeAllConnections(), graceMs).unref();
  });
  fastify.addHook('onClose', async () => clearTimeout(cutOff));
}
