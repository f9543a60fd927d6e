import "server-only";
import { z } from "zod";
import { assertAdmin } from "@/lib/auth/guards";
import type { CurrentUser } from "@/lib/auth/session-version";
import { AppError } from "@/lib/errors";
import { json, route } from "@/lib/http/json";
import { fieldErrorsOf } from "@/lib/validation";

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
 * A `GET /api/admin/…` JSON route: the admin only (401 anonymous, 403 others), the query parsed
 * by the schema (400 with the reason), the handler's value as JSON, never cached.
 */
export function adminGet<T extends z.ZodType, C = unknown>(
  schema: T,
  handler: (query: z.infer<T>, admin: CurrentUser, context: C) => Promise<unknown>,
) {
  return route<C>(async (request, context) => {
    const admin = await assertAdmin();
    const query = parseQuery(new URL(request.url).searchParams, schema);
    const body = await handler(query, admin, context);
    return json(body, { headers: { "cache-control": "no-store" } });
  });
}
