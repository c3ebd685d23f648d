import { timingSafeEqual } from 'node:crypto';
import { keyHash } from '../config/config.js';

/** METRICS_TOKEN, held as its hash like the API keys: it opens the routes marked @AcceptsMetricsToken() (GET /metrics). */
export class MetricsToken {
  private readonly hash?: Buffer;

  constructor(token: string | undefined) {
    this.hash = token === undefined ? undefined : Buffer.from(keyHash(token), 'hex');
  }

  /** Hashes of equal length compared in constant time: how long it takes tells nothing of the token. */
  matches(presented: string): boolean {
    return this.hash !== undefined && timingSafeEqual(Buffer.from(keyHash(presented), 'hex'), this.hash);
  }
}
