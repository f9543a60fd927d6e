import "server-only";

/**
 * An error and what it wraps, outermost first: drizzle wraps driver errors in a DrizzleQueryError
 * (`cause`), and Node reports each address it tried in an AggregateError (`errors`). Bounded, and
 * safe against cycles.
 */
export function errorChain(error: unknown): object[] {
  const chain: object[] = [];
  const queue: unknown[] = [error];
  while (queue.length > 0 && chain.length < 20) {
    const current = queue.shift();
    if (typeof current !== "object" || current === null || chain.includes(current)) continue;
    chain.push(current);
    const { cause, errors } = current as { cause?: unknown; errors?: unknown };
    queue.push(cause);
    if (Array.isArray(errors)) queue.push(...(errors as unknown[]));
  }
  return chain;
}

/** Whether the error, or anything it wraps, carries this `code` (a SQLSTATE, say). */
export function hasErrorCode(error: unknown, code: string): boolean {
  return errorChain(error).some((e) => (e as { code?: unknown }).code === code);
}

/**
 * Whether a database error is a unique violation of `constraint`. postgres.js and PGlite expose
 * the server error differently (`constraint_name` / `constraint`), and drizzle wraps it.
 */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  const violation = errorChain(error).find((e) => (e as { code?: unknown }).code === "23505") as
    { constraint_name?: unknown; constraint?: unknown; message?: unknown } | undefined;
  if (!violation) return false;
  const name = violation.constraint_name ?? violation.constraint;
  return (
    name === constraint ||
    (typeof violation.message === "string" && violation.message.includes(constraint))
  );
}

export const MIGRATIONS_BEHIND = "MIGRATIONS_BEHIND";

/**
 * The database has not had this build's migrations applied: the server refuses to use it rather
 * than fail on a missing column mid-request. Recognised by `code`, not by class, because Next
 * bundles this module more than once.
 */
export class MigrationsBehindError extends Error {
  readonly code = MIGRATIONS_BEHIND;

  constructor(readonly pending: readonly string[]) {
    super(
      `The database is missing ${pending.length} migration(s) of this build (${pending.join(", ")}). ` +
        "Run `npm run db:migrate` against it, then retry.",
    );
    this.name = "MigrationsBehindError";
  }
}

/** Node socket and DNS errors that mean "the server cannot be reached right now". */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN", // temporary DNS failure (ENOTFOUND is a wrong host name: configuration, not outage)
]);

/** postgres.js's own connection errors (Errors.connection in postgres/src/errors.js). */
const POSTGRES_JS_CODES = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
]);

/** SQLSTATEs outside class 08 (connection exception) that mean "not now, maybe soon". */
const SQLSTATES = new Set([
  "57P01", // admin_shutdown: the server is shutting down or a failover is under way
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now: the server is starting up or in recovery
  "53300", // too_many_connections
]);

/** PGlite has no error codes for these; its messages are fixed strings in its source. */
const PGLITE_MESSAGES = new Set(["PGlite is closed", "PGlite is closing"]);

function isUnavailableItself(error: object): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === "string") {
    if (NETWORK_CODES.has(code) || POSTGRES_JS_CODES.has(code) || SQLSTATES.has(code)) return true;
    if (/^08[0-9A-Z]{3}$/.test(code)) return true;
    if (code === MIGRATIONS_BEHIND) return true;
  }
  return error instanceof Error && typeof message === "string" && PGLITE_MESSAGES.has(message);
}

/**
 * Whether `error` means the database cannot serve this request now (unreachable, restarting,
 * out of connections, closed, or not migrated for this build), so the caller should answer 503
 * and ask for a retry instead of a 500. Looks through the wrappers (errorChain). Classifies by error codes, never by message text, except for PGlite which has no codes.
 * A socket error from elsewhere (a provider call that escaped its client's error mapping) also
 * answers true; a 503 with a retry hint is the right answer for that too.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  return databaseUnavailableCause(error) !== undefined;
}

/**
 * The link of the chain that made isDatabaseUnavailable answer true: the driver's own error, to
 * log instead of drizzle's wrapper, whose message carries the query and its parameters.
 */
export function databaseUnavailableCause(error: unknown): object | undefined {
  return errorChain(error).find(isUnavailableItself);
}
