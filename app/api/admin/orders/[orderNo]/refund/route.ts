import { refundRoute } from "@/lib/admin/orders-routes";
import { methodsNotAllowed } from "@/lib/http/json";

/** `POST /api/admin/orders/{orderNo}/refund`: refund an Alipay order (admin only, audited). */
export const POST = refundRoute;

/** Any other method: 405 with the JSON error. */
export const { GET, PUT, PATCH, DELETE } = methodsNotAllowed(["POST"]);
