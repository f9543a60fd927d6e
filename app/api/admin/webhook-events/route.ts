import { getDb } from "@/db";
import { adminGet } from "@/lib/admin/api";
import { inboxPage, inboxQuery } from "@/lib/admin/inbox";

/** `GET /api/admin/webhook-events`: deliveries newest first; `provider`, `status`, `kind`, `cursor`, `limit`. */
export const GET = adminGet(inboxQuery, async (query) => inboxPage(await getDb(), query));
