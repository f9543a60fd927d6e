import { getDb } from "@/db";
import { adminGet } from "@/lib/admin/api";
import { subscriptionQuery, subscriptionsPage } from "@/lib/admin/subscriptions";

/** `GET /api/admin/subscriptions`: the agreements list's filters, search, sort and cursor. */
export const GET = adminGet(subscriptionQuery, async (query) =>
  subscriptionsPage(await getDb(), query),
);
