import { getDb } from "@/db";
import { adminGet } from "@/lib/admin/api";
import { orderListQuery, ordersPage } from "@/lib/admin/orders";
import { methodsNotAllowed } from "@/lib/http/json";

/** `GET /api/admin/orders`: status, channel, kind, from/to (Shanghai days), q, cursor, limit. */
export const GET = adminGet(orderListQuery, async (query) => ordersPage(await getDb(), query));

/** Any other method: 405 with the JSON error. */
export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
