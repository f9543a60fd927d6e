import { z } from "zod";
import { AppError } from "@/lib/errors";
import { fieldErrorsOf } from "@/lib/validation";

/*
 * The admin lists' query strings and keyset cursors: pure (no session, no database), shared by
 * the pages, the JSON API (lib/admin/api.ts) and the tests.
 */

/** Rows per page of the admin's lists and JSON API unless `limit` asks for another (1–100). */
export const ADMIN_PAGE_SIZE = 25;
export const ADMIN_MAX_PAGE_SIZE = 100;

/** A page of a list: the rows and the cursor of the next page (null on the last page). */
export interface AdminPage<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * A keyset cursor: the sort key of the last row of a page, as opaque base64url JSON. Decoding
 * checks the shape with the list's schema, so a forged or stale cursor is a 400, never a crash
 * or a wrong query.
 */
export function encodeCursor(key: readonly (string | number | null)[]): string {
  return Buffer.from(JSON.stringify(key), "utf8").toString("base64url");
}

export function decodeCursor<T extends z.ZodType>(cursor: string, schema: T): z.infer<T> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw new AppError("bad_request", "The cursor is not one this list gave out.");
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new AppError("bad_request", "The cursor is not one this list gave out.");
  return parsed.data;
}

/** `limit` of a list's query: 1–100, the page size when absent. */
export const limitParam = z.coerce
  .number()
  .int()
  .min(1)
  .max(ADMIN_MAX_PAGE_SIZE)
  .default(ADMIN_PAGE_SIZE);

/** A `YYYY-MM-DD` date of a filter (a real calendar date). */
export const dayParam = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "date.invalid")
  .refine((day) => {
    const date = new Date(`${day}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(day);
  }, "date.invalid");

/**
 * The query string as an object for a list's schema: a parameter given twice or empty is left
 * out (an empty filter box means no filter).
 */
export function queryObject(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of params) if (value.trim() !== "") out[key] = value.trim();
  return out;
}

/** Parses a list's query; a bad filter is a 400 naming the field and the reason. */
export function parseQuery<T extends z.ZodType>(params: URLSearchParams, schema: T): z.infer<T> {
  const parsed = schema.safeParse(queryObject(params));
  if (!parsed.success) {
    throw new AppError("bad_request", "Some filters are invalid.", fieldErrorsOf(parsed.error));
  }
  return parsed.data;
}

/**
 * A list page's query, read with the list's schema (the one its JSON API uses) but leniently: a
 * page cannot answer 400, so a filter that does not parse (a typo in a shared link, a stale
 * cursor, a parameter given twice) is dropped, the rest of the filters kept, and `invalid` names
 * what was dropped for the page to say so.
 */
export function pageQuery<T extends z.ZodType>(
  schema: T,
  record: Record<string, string | string[] | undefined>,
): { query: z.infer<T>; invalid: string | null } {
  const values: Record<string, string> = {};
  const dropped = new Set<string>();
  for (const [key, value] of Object.entries(record)) {
    if (Array.isArray(value)) dropped.add(key);
    else if (value !== undefined && value.trim() !== "") values[key] = value.trim();
  }
  // Each round drops the fields the schema refused; a refusal of the whole object ends it.
  for (let round = 0; round < 10; round++) {
    const parsed = schema.safeParse(values);
    if (parsed.success) {
      return { query: parsed.data, invalid: dropped.size > 0 ? [...dropped].join(", ") : null };
    }
    const keys = Object.keys(fieldErrorsOf(parsed.error)).filter((key) => key in values);
    if (keys.length === 0) break;
    for (const key of keys) {
      dropped.add(key);
      delete values[key];
    }
  }
  return { query: schema.parse({}), invalid: [...dropped].join(", ") || "?" };
}

/** The list's filters as a query string for links and the JSON API (no cursor, no empties). */
export function filterQueryString(query: Record<string, unknown>, omit: readonly string[] = []) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (key === "cursor" || omit.includes(key)) continue;
    if (value === undefined || value === null || value === "" || value === false) continue;
    params.set(key, String(value));
  }
  return params.toString();
}

/** A value as JSON would carry it (dates as ISO strings): what the client gets either way. */
export type Jsonified<T> = T extends Date
  ? string
  : T extends (infer U)[]
    ? Jsonified<U>[]
    : T extends object
      ? { [K in keyof T]: Jsonified<T[K]> }
      : T;

/** A server value in its JSON shape, so a page's first render and the API's pages match. */
export function jsonified<T>(value: T): Jsonified<T> {
  return JSON.parse(JSON.stringify(value)) as Jsonified<T>;
}
