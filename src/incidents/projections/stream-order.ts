/**
 * Whether a read model kept per stream should apply the event at `revision`, given the
 * revision it applied last (undefined: none yet). A redelivered event is skipped. A gap
 * means an event was missed: the projection stops, visibly, rather than keep a view
 * that silently lacks it.
 */
export function isNextRevision(streamId: string, revision: number, applied: number | undefined): boolean {
  const expected = (applied ?? -1) + 1;
  if (revision < expected) return false;
  if (revision > expected) throw new Error(`${streamId}: revision ${revision} arrived when ${expected} was due`);
  return true;
}
