import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { followedAbort } from '../common/linked-abort.js';

/**
 * The service's stop, as its event streams (/stream, /alerts/stream) hear of it: a stream
 * never ends of itself, so each ends when the service begins to stop, and its client
 * reconnects (to another process) with Last-Event-ID.
 */
export class Stopping {
  private readonly stop = followedAbort();

  get signal(): AbortSignal {
    return this.stop.signal;
  }

  begin(): void {
    this.stop.abort();
  }
}

/**
 * Lets the HTTP server stop. Node's server.close() closes the connections idle at that moment
 * and waits for the others to end, and some never end by themselves: one on which a client
 * has sent nothing yet (a browser opens some ahead of need), one whose response ended after
 * the close (an event stream, ended by `Stopping`), kept alive. The service then never
 * stopped. When it begins to stop, connections on which nothing was ever sent are closed, a
 * connection whose last response under way ends is closed then, and `graceMs` after the
 * stop began, whatever is left (a request still unanswered, one whose headers never came
 * whole) is closed too.
 */
export function stopServing(fastify: FastifyInstance, stopping: Stopping, graceMs: number): void {
  const server = fastify.server;
  // Each open connection, with its requests answered or being answered: more than one when a
  // client pipelines, none on one kept alive between requests or on which nothing came yet.
  const underWay = new Map<Socket, number>();
  let closing = false;
  server.on('connection', (socket: Socket) => {
    // Accepted in the moment between the stop's beginning and the server's closing.
    if (closing) return socket.destroy();
    underWay.set(socket, 0);
    socket.once('close', () => underWay.delete(socket));
  });
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    underWay.set(socket, (underWay.get(socket) ?? 0) + 1);
    response.once('close', () => {
      if (socket.destroyed) return; // its own 'close' forgets it
      const left = (underWay.get(socket) ?? 1) - 1;
      underWay.set(socket, left);
      if (closing && left === 0) socket.end();
    });
  });
  let cutOff: NodeJS.Timeout | undefined;
  fastify.addHook('preClose', async () => {
    closing = true;
    stopping.begin();
    for (const socket of underWay.keys()) if (socket.bytesRead === 0) socket.destroy();
    cutOff = setTimeout(() => server.closeAllConnections(), graceMs).unref();
  });
  fastify.addHook('onClose', async () => clearTimeout(cutOff));
}
