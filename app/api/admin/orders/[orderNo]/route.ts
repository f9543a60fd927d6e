import { orderDetailRoute } from "@/lib/admin/orders-routes";

/** `GET /api/admin/orders/{orderNo}`: the order's detail (404 for an unknown number). */
export const GET = orderDetailRoute;
