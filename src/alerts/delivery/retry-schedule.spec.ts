import { FIRST_RETRY_MS, givenUp, retryDelayMs } from './retry-schedule.js';

describe('the retry schedule of a failed webhook delivery', () => {
  const policy = { maxDelayMs: 3_600_000, retryForMs: 86_400_000 };

  it('doubles the wait after each failure, from one second', () => {
    const highest = () => 1 - Number.EPSILON;
    expect([1, 2, 3, 4, 5].map((failed) => retryDelayMs(failed, policy, highest))).toEqual([1000, 2000, 4000, 8000, 16000]);
  });

  it('draws each wait between half of it and all of it, so deliveries held up by one outage spread out', () => {
    expect(retryDelayMs(3, policy, () => 0)).toBe(2000);
    expect(retryDelayMs(3, policy, () => 0.5)).toBe(3000);
  });

  it('never waits longer than the longest wait configured, however many attempts failed', () => {
    expect(retryDelayMs(1000, policy, () => 1)).toBe(3_600_000);
    expect(retryDelayMs(30, { maxDelayMs: 2000 }, () => 1)).toBe(2000);
  });

  it('gives up once the first attempt lies the whole retry period back, and not before', () => {
    const first = new Date('2026-12-06T00:00:00.000Z');
    expect(givenUp(first, new Date(first.getTime() + policy.retryForMs - 1), policy)).toBe(false);
    expect(givenUp(first, new Date(first.getTime() + policy.retryForMs), policy)).toBe(true);
  });

  it('keeps to 24 hours of attempts about two dozen times, a retry an hour at most once backed off', () => {
    let waited = 0;
    let failed = 0;
    while (waited < policy.retryForMs) waited += retryDelayMs(++failed, policy, () => 1);
    expect(FIRST_RETRY_MS).toBe(1000);
    expect(failed).toBeGreaterThan(20);
    expect(failed).toBeLessThan(40);
  });
});
