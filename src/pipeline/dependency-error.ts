// Connection classes (08), operator intervention (57), resources (53),
// system errors (58), and transaction rollbacks (40: serialisation failure,
// deadlock): the database's moment, not the event. Retried without bound.
const DEPENDENCY_SQLSTATE = /^(08|57|53|58|40)/;
const DEPENDENCY_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
const DEPENDENCY_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|Cannot use a pool after calling end|Client has encountered a connection error|Connection is closed/i;

/** True when the error says a dependency is away (PostgreSQL, Redis): pause and retry, never quarantine. */
export function isDependencyError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code } = error as { code?: unknown };
  if (typeof code === 'string' && (DEPENDENCY_SQLSTATE.test(code) || DEPENDENCY_ERRNO.has(code))) return true;
  if ((error as { retryable?: unknown }).retryable === true) return true;
  return DEPENDENCY_MESSAGE.test(error.message);
}
