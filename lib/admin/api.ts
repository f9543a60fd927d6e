import "server-only";
import type { z } from "zod";
import { assertAdmin } from "@/lib/auth/guards";
import type { CurrentUser } from "@/lib/auth/session-version";
import { json, route } from "@/lib/http/json";
import { parseQuery } from "./query";

export {
  ADMIN_MAX_PAGE_SIZE,
  ADMIN_PAGE_SIZE,
  dayParam,
  decodeCursor,
  encodeCursor,
  limitParam,
  parseQuery,
  queryObject,
  type AdminPage,
} from "./query";

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
