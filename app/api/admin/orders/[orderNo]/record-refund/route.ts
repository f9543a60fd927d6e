import { recordRefundRoute } from "@/lib/admin/orders-routes";
import { methodsNotAllowed } from "@/lib/http/json";

/** `POST /api/admin/orders/{orderNo}/record-refund`: an order in review refunded outside the shop. */
export const POST = recordRefundRoute;

/** Any other method: 405 with the JSON error. */
export const { GET, PUT, PATCH, DELETE } = methodsNotAllowed(["POST"]);
