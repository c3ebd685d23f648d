import http from 'node:http';
import https from 'node:https';
import { Webhook } from 'standardwebhooks';
import type { Attempt } from '../alert-api.js';
import { publicOnlyLookup, targetRefusal } from './safe-target.js';

export interface WebhookMessage {
  url: string;
  /** The subscription's `whsec_…` secret. */
  secret: string;
  /** The delivery's id: the same on every attempt, for the receiver to deduplicate on. */
  id: string;
  body: string;
}

export interface SendOptions {
  allowedHosts: readonly string[];
  timeoutMs: number;
}

const EXCERPT_CHARACTERS = 200;

// Connections are kept open between deliveries to a receiver: a new one for each would cost
// a handshake each time. Each connection's address is checked when it is made (the lookup
// below), so a kept one leads where the check let it. Idle ones close before a receiver's
// usual keep-alive timeout (5 s for Node), rather than be reused as the receiver drops them.
const KEPT_OPEN = { keepAlive: true, timeout: 4_000 };
const HTTP_AGENT = new http.Agent(KEPT_OPEN);
const HTTPS_AGENT = new https.Agent(KEPT_OPEN);

/**
 * Posts `message` once, signed per Standard Webhooks (webhook-id, webhook-timestamp,
 * webhook-signature: HMAC-SHA256 of "id.timestamp.body"). Delivered on a 2xx answer only;
 * redirects are not followed (they could lead anywhere the target check refuses).
 */
export async function sendWebhook(message: WebhookMessage, { allowedHosts, timeoutMs }: SendOptions): Promise<Attempt & { delivered: boolean }> {
  const started = new Date();
  const at = started.toISOString();
  const latencyMs = () => Date.now() - started.getTime();
  const url = new URL(message.url);
  const refusal = targetRefusal(url, allowedHosts);
  if (refusal) return { at, latencyMs: 0, error: `Not sent: the URL ${refusal}`, delivered: false };
  const signature = new Webhook(message.secret).sign(message.id, started, message.body);
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'IncidentLedger-Webhooks/1',
    'webhook-id': message.id,
    'webhook-timestamp': String(Math.floor(started.getTime() / 1000)),
    'webhook-signature': signature,
  };
  return new Promise((resolve) => {
    const [client, agent] = url.protocol === 'https:' ? [https, HTTPS_AGENT] : [http, HTTP_AGENT];
    const request = client.request(url, { method: 'POST', headers, lookup: publicOnlyLookup(allowedHosts), agent }, (response) => {
      let excerpt = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        excerpt += chunk;
        // Only an excerpt is kept: the rest is not read.
        if (excerpt.length >= EXCERPT_CHARACTERS) response.destroy();
      });
      const done = () => {
        clearTimeout(timer);
        const statusCode = response.statusCode ?? 0;
        const delivered = statusCode >= 200 && statusCode < 300;
        resolve({
          at,
          statusCode,
          latencyMs: latencyMs(),
          ...(!delivered && { error: `The receiver answered ${statusCode}` }),
          ...(excerpt && { responseExcerpt: storable(excerpt.slice(0, EXCERPT_CHARACTERS)) }),
          delivered,
        });
      };
      response.on('end', done);
      response.on('close', done);
    });
    const timer = setTimeout(() => request.destroy(new Error(`No answer within ${timeoutMs / 1000} s`)), timeoutMs);
    request.on('error', (error) => {
      clearTimeout(timer);
      resolve({ at, latencyMs: latencyMs(), error: storable(error.message), delivered: false });
    });
    request.end(message.body);
  });
}

/**
 * A receiver's text as PostgreSQL can keep it: without U+0000, and with a surrogate left
 * unpaired (an excerpt cut between the halves of an emoji) replaced. Kept as it came, one
 * such answer would fail the statement that records every attempt of its group.
 */
function storable(text: string): string {
  return text.replaceAll('\u0000', '').replace(/\p{Cs}/gu, '\uFFFD');
}
