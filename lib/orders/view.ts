import QRCode from "qrcode";
import { findOrderWithProduct, type OrderWithProduct } from "@/db/queries/orders";
import type { Db } from "@/db/client";
import type { Order } from "@/db/schema";
import type { CurrentUser } from "@/lib/auth/guards";
import { AppError } from "@/lib/errors";

/**
 * An order as its owner (or an admin) may see it. Anyone else gets the same 404 as for an order
 * that does not exist, so order numbers cannot be probed.
 */
export async function orderForViewer(
  db: Db,
  orderNo: string,
  viewer: CurrentUser,
): Promise<OrderWithProduct> {
  const found = /^[A-Z0-9]{6,64}$/.test(orderNo)
    ? await findOrderWithProduct(db, orderNo)
    : undefined;
  if (!found || (found.order.userId !== viewer.id && viewer.role !== "admin")) {
    throw new AppError("not_found", "No such order.");
  }
  return found;
}

/** The QR to show: Youzan's own image when it sent one, else one drawn from `qr_url`. */
export async function qrImageOf(order: Pick<Order, "qrImage" | "qrUrl">): Promise<string | null> {
  if (order.qrImage?.startsWith("data:image/")) return order.qrImage;
  if (!order.qrUrl) return null;
  return QRCode.toDataURL(order.qrUrl, { margin: 1, width: 280 });
}

export const FINAL_STATUSES = new Set<Order["status"]>([
  "paid",
  "expired",
  "closed",
  "refunded",
  "review",
]);

export function publicStatus(order: Order) {
  return {
    orderNo: order.orderNo,
    status: order.status,
    paidAt: order.paidAt?.toISOString() ?? null,
  };
}
