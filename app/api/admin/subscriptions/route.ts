import { getDb } from "@/db";
import { adminGet } from "@/lib/admin/api";
import { subscriptionQuery, subscriptionsPage } from "@/lib/admin/subscriptions";
import { methodsNotAllowed } from "@/lib/http/json";

/** `GET /api/admin/subscriptions`: the agreements list's filters, search, sort and cursor. */
export const GET = adminGet(subscriptionQuery, async (query) =>
  subscriptionsPage(await getDb(), query),
);

/** Any other method: 405 with the JSON error. */
export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
