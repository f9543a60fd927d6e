import { acceptRoute } from "@/lib/admin/orders-routes";

/** `POST /api/admin/orders/{orderNo}/accept`: accept the payment of an order in review (audited). */
export const POST = acceptRoute;
