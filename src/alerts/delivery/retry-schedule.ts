// When a failed webhook delivery is tried again (issue 15, item 3), and when its
// subscription is paused instead.

/** The wait before the second attempt; each later one doubles it. */
export const FIRST_RETRY_MS = 1000;

export interface RetryPolicy {
  /** The longest wait between two attempts (WEBHOOK_RETRY_MAX_DELAY_SECONDS). */
  maxDelayMs: number;
  /** How long after its first attempt a delivery is still tried (WEBHOOK_RETRY_FOR_SECONDS). */
  retryForMs: number;
}

/**
 * The wait after `failed` attempts in a row: doubling from FIRST_RETRY_MS up to the
 * policy's longest wait, and drawn between half of that and all of it, so that the
 * deliveries held up by one outage do not all come back at the same moment.
 */
export function retryDelayMs(failed: number, { maxDelayMs }: Pick<RetryPolicy, 'maxDelayMs'>, random: () => number = Math.random): number {
  const ceiling = Math.min(maxDelayMs, FIRST_RETRY_MS * 2 ** Math.min(failed - 1, 40));
  return Math.round(ceiling * (0.5 + random() / 2));
}

/** Whether a delivery first tried at `firstAttemptAt`, failing again at `now`, is given up on: its subscription is paused. */
export function givenUp(firstAttemptAt: Date, now: Date, { retryForMs }: Pick<RetryPolicy, 'retryForMs'>): boolean {
  return now.getTime() - firstAttemptAt.getTime() >= retryForMs;
}
