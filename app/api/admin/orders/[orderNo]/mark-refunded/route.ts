import { markRefundedRoute } from "@/lib/admin/orders-routes";

/** `POST /api/admin/orders/{orderNo}/mark-refunded`: a Youzan order refunded by hand (audited). */
export const POST = markRefundedRoute;
