import { InvalidPositionError, type Position } from '../event-store.js';

/**
 * A place in the global log, in the order readAll goes by: the id of the transaction that
 * wrote the event, then the event's sequence number. Kept as decimal strings: an xid8 and a
 * bigint can exceed JavaScript's safe integers.
 */
export interface LogPosition {
  transactionId: string;
  position: string;
}

/** Before every event: no transaction has id 0. */
export const LOG_START: LogPosition = { transactionId: '0', position: '0' };

// "<transaction id>:<position>", both in canonical decimal (no sign, no leading zeros), so
// that every place in the log has exactly one spelling.
const ENCODED = /^(0|[1-9][0-9]*):(0|[1-9][0-9]*)$/;
const MAX_XID8 = 2n ** 64n - 1n;
const MAX_BIGINT = 2n ** 63n - 1n;

export function encodePosition({ transactionId, position }: LogPosition): Position {
  return `${transactionId}:${position}` as Position;
}

export function decodePosition(value: string): LogPosition {
  const match = ENCODED.exec(value);
  if (!match || BigInt(match[1]) > MAX_XID8 || BigInt(match[2]) > MAX_BIGINT) throw new InvalidPositionError(value);
  return { transactionId: match[1], position: match[2] };
}
