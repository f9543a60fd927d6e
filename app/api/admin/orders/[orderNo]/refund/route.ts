import { refundRoute } from "@/lib/admin/orders-routes";

/** `POST /api/admin/orders/{orderNo}/refund`: refund an Alipay order (admin only, audited). */
export const POST = refundRoute;
