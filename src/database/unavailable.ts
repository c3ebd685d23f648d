// Network errors, SQLSTATE class 08 (connection exception), server shutting down or full,
// statement_timeout; and node-postgres's own errors for lost connections and timeouts.
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', '57P01', '57P02', '57P03', '53300', '57014']);
const UNAVAILABLE_MESSAGES = /^(Connection terminated|timeout exceeded when trying to connect|timeout expired|Query read timeout|Client has encountered a connection error)/;
// TypeORM's, for a transaction whose connection was lost under it.
const RELEASED_CONNECTION = /^QueryRunner(Provider)?AlreadyReleasedError$/;

/** Whether an error says PostgreSQL could not be reached or went away, rather than refused the work. */
export function isPostgresUnavailable(error: unknown): boolean {
  // Duck-typed: socket errors come from Node's own realm, where `instanceof Error` can fail.
  const { code, message, name } = (error ?? {}) as { code?: unknown; message?: unknown; name?: unknown };
  return (
    (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) ||
    (typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message)) ||
    (typeof name === 'string' && RELEASED_CONNECTION.test(name))
  );
}
