/**
 * Whether a database error is a unique violation of `constraint`. postgres.js and PGlite expose
 * the server error differently, and drizzle wraps it as `cause`: look at both levels.
 */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 3; depth++) {
    const err = e as {
      code?: unknown;
      constraint_name?: unknown;
      constraint?: unknown;
      message?: unknown;
      cause?: unknown;
    };
    if (err.code === "23505") {
      const name = err.constraint_name ?? err.constraint;
      return (
        name === constraint || (typeof err.message === "string" && err.message.includes(constraint))
      );
    }
    e = err.cause;
  }
  return false;
}
