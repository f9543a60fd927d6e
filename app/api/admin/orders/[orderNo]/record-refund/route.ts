import { recordRefundRoute } from "@/lib/admin/orders-routes";

/** `POST /api/admin/orders/{orderNo}/record-refund`: an order in review refunded outside the shop. */
export const POST = recordRefundRoute;
