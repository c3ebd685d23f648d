import { InvalidPositionError } from '../event-store/event-store.js';
import { RequestValidationError } from './problem.js';

/**
 * Runs a read of the ledger from a position a client gave (`field`: where it gave it): a
 * position the store could not have handed out is a 400 naming that field. Positions are
 * opaque, so only the store can tell.
 */
export async function readingFromClientPosition<T>(field: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof InvalidPositionError)) throw error;
    throw new RequestValidationError([{ field, code: 'invalid_position', message: error.message }]);
  }
}
