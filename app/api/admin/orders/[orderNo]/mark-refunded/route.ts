import { markRefundedRoute } from "@/lib/admin/orders-routes";
import { methodsNotAllowed } from "@/lib/http/json";

/** `POST /api/admin/orders/{orderNo}/mark-refunded`: a Youzan order refunded by hand (audited). */
export const POST = markRefundedRoute;

/** Any other method: 405 with the JSON error. */
export const { GET, PUT, PATCH, DELETE } = methodsNotAllowed(["POST"]);
