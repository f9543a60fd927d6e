import { acceptRoute } from "@/lib/admin/orders-routes";
import { methodsNotAllowed } from "@/lib/http/json";

/** `POST /api/admin/orders/{orderNo}/accept`: accept the payment of an order in review (audited). */
export const POST = acceptRoute;

/** Any other method: 405 with the JSON error. */
export const { GET, PUT, PATCH, DELETE } = methodsNotAllowed(["POST"]);
