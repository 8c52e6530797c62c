/**
 * The database is restarting or unreachable, so a retry may succeed: SQLSTATE 08xxx and 57P, and pg's
 * socket errors. TypeORM wraps pg's error in `driverError`.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const cause = (error as { driverError?: unknown })?.driverError ?? error;
  const code = (cause as { code?: unknown })?.code;
  if (typeof code === 'string' && (code.startsWith('08') || code.startsWith('57P'))) return true;
  if (typeof code === 'string' && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH'].includes(code)) return true;
  const message = (cause as { message?: unknown })?.message;
  return typeof message === 'string' && /^(Connection terminated|timeout exceeded when trying to connect)/.test(message);
}
