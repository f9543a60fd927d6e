import { orderDetailRoute } from "@/lib/admin/orders-routes";
import { methodsNotAllowed } from "@/lib/http/json";

/** `GET /api/admin/orders/{orderNo}`: the order's detail (404 for an unknown number). */
export const GET = orderDetailRoute;

/** Any other method: 405 with the JSON error. */
export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
