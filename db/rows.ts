import "server-only";

/** The rows of `db.execute` on either driver: postgres.js returns them as the result, PGlite wraps them in `{ rows }`. */
export function rowsOf<T = Record<string, unknown>>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  const rows = (result as { rows?: unknown } | null)?.rows;
  return (Array.isArray(rows) ? rows : []) as T[];
}
