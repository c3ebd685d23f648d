import { linkedAbort } from './linked-abort.js';

describe('linkedAbort', () => {
  it('aborts when the signal it follows does, and at once when that one has already', () => {
    const parent = new AbortController();
    const linked = linkedAbort(parent.signal);
    expect(linked.signal.aborted).toBe(false);
    parent.abort();
    expect(linked.signal.aborted).toBe(true);

    expect(linkedAbort(parent.signal).signal.aborted).toBe(true);
  });

  it('aborts when any of several signals it follows does', () => {
    const [first, second] = [new AbortController(), new AbortController()];
    const linked = linkedAbort([first.signal, second.signal]);
    second.abort();
    expect(linked.signal.aborted).toBe(true);

    expect(linkedAbort([new AbortController().signal, second.signal]).signal.aborted).toBe(true);
  });

  it('aborts after its timeout, or when told', async () => {
    const timed = linkedAbort(new AbortController().signal, 20);
    await new Promise((resolve) => timed.signal.addEventListener('abort', resolve));
    expect(timed.signal.aborted).toBe(true);

    const told = linkedAbort(new AbortController().signal);
    told.abort();
    expect(told.signal.aborted).toBe(true);
  });

  it('follows the signals no more once released', async () => {
    const [parent, other] = [new AbortController(), new AbortController()];
    const linked = linkedAbort([parent.signal, other.signal], 20);
    linked.release();
    parent.abort();
    other.abort();
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(linked.signal.aborted).toBe(false);
  });
});
