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
  const found = isOrderNo(orderNo) ? await findOrderWithProduct(db, orderNo) : undefined;
  return visibleTo(found, viewer);
}

/** The shape of an order number; anything else is answered 404 without a query. */
export function isOrderNo(orderNo: string): boolean {
  return /^[A-Z0-9]{6,64}$/.test(orderNo);
}

/** `found` if `viewer` may see it (its owner, or an admin); else the 404 of a missing order. */
export function visibleTo<Found extends { order: Pick<Order, "userId"> }>(
  found: Found | null | undefined,
  viewer: CurrentUser,
): Found {
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

/**
 * The PNG the checkout's "save QR code" button downloads: drawn by us from the very URL the
 * "open" button links to (Youzan's own image may differ), 6 pixels a module with the standard
 * quiet zone, so that even a long page.sign URL (some 140 modules a side) scans from the album.
 */
export async function qrPngOf(url: string): Promise<string> {
  return QRCode.toDataURL(url, { type: "image/png", margin: 4, scale: 6 });
}

export const FINAL_STATUSES = new Set<Order["status"]>([
  "paid",
  "expired",
  "closed",
  "refunded",
  "review",
]);

/**
 * What the status route answers. `serverNow` is the shop's clock (the sandbox's virtual clock in
 * sandbox mode) when the answer leaves: the checkout counts down from it, never from the
 * browser's clock (lib/orders/countdown.ts).
 */
export function publicStatus(
  order: Pick<Order, "orderNo" | "status" | "paidAt" | "expiresAt">,
  serverNow: Date,
) {
  return {
    orderNo: order.orderNo,
    status: order.status,
    paidAt: order.paidAt?.toISOString() ?? null,
    expiresAt: order.expiresAt?.toISOString() ?? null,
    serverNow: serverNow.toISOString(),
  };
}

export type PublicStatus = ReturnType<typeof publicStatus>;
