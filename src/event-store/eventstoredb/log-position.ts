import type { Position as AllPosition } from '@eventstore/db-client';
import { InvalidPositionError, type Position } from '../event-store.js';

/** Before every event: EventStoreDB's log opens with its own records, so none of ours is at 0. */
export const LOG_START: AllPosition = { commit: 0n, prepare: 0n };

// "<commit>/<prepare>", both in canonical decimal, so that every place in $all has exactly one
// spelling. A slash, where the PostgreSQL store writes a colon: a checkpoint kept from that
// store is refused as InvalidPositionError instead of being read as a place in this log.
const ENCODED = /^(0|[1-9][0-9]*)\/(0|[1-9][0-9]*)$/;
const MAX_UINT64 = 2n ** 64n - 1n;

export function encodePosition({ commit, prepare }: AllPosition): Position {
  return `${commit}/${prepare}` as Position;
}

export function decodePosition(value: string): AllPosition {
  const match = ENCODED.exec(value);
  if (!match || BigInt(match[1]) > MAX_UINT64 || BigInt(match[2]) > MAX_UINT64) throw new InvalidPositionError(value);
  return { commit: BigInt(match[1]), prepare: BigInt(match[2]) };
}

/** $all's order: by commit position, then prepare position. */
export function isAfter(position: AllPosition, other: AllPosition): boolean {
  return position.commit > other.commit || (position.commit === other.commit && position.prepare > other.prepare);
}
