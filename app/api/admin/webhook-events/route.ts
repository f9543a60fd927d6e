import { getDb } from "@/db";
import { adminGet } from "@/lib/admin/api";
import { inboxPage, inboxQuery } from "@/lib/admin/inbox";
import { methodsNotAllowed } from "@/lib/http/json";

/** `GET /api/admin/webhook-events`: deliveries newest first; `provider`, `status`, `kind`, `cursor`, `limit`. */
export const GET = adminGet(inboxQuery, async (query) => inboxPage(await getDb(), query));

/** Any other method: 405 with the JSON error. */
export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
