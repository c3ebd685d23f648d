import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { eventually } from './caught-up.js';

/** A request a receiver took: the Standard Webhooks headers, and the body as sent. */
export interface Received {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read what the service sent
  json: any;
}

/**
 * A webhook receiver on loopback, as a partner system runs one: it keeps every request and
 * answers `status()` with `answer()` (200 "ok" unless a test says otherwise), after `delayMs()` when given.
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  status = () => 200;
  answer = () => 'ok';
  delayMs = () => 0;
  /** Requests taken in and not yet answered: deliveries in flight. */
  holding = 0;
  private server?: Server;

  private constructor(private port: number) {}

  static async start(port = 0): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver(port);
    await receiver.listen();
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  /** Listens (again) on its port: a receiver coming back after an outage. */
  async listen(): Promise<void> {
    const server = createServer((request, response) => {
      this.holding++;
      void read(request).then(async (body) => {
        await new Promise((resolve) => setTimeout(resolve, this.delayMs()));
        this.holding--;
        const header = (name: string) => String(request.headers[name] ?? '');
        this.received.push({ id: header('webhook-id'), timestamp: header('webhook-timestamp'), signature: header('webhook-signature'), body, json: JSON.parse(body) });
        response.writeHead(this.status()).end(this.answer());
      });
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops answering: connections are refused until listen(). */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  }

  /** Once at least `count` requests came in. */
  async waitFor(count: number, timeoutMs = 30_000): Promise<Received[]> {
    await eventually(async () => this.received.length >= count, `${count} webhook requests (${this.received.length} so far)`, timeoutMs, 20);
    return this.received;
  }

  /** The distinct deliveries received, in the order each first came. */
  distinct(): Received[] {
    const seen = new Set<string>();
    return this.received.filter(({ id }) => !seen.has(id) && seen.add(id));
  }
}

/** Checks a request's signature as a receiver does, with the standardwebhooks package: throws if it does not verify. */
export function verified(secret: string, { id, timestamp, signature, body }: Received): unknown {
  return new Webhook(secret).verify(body, { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature });
}

function read(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => resolve(body));
  });
}
