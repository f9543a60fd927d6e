import { eq } from "drizzle-orm";
import { findActiveProductBySlug } from "@/db/queries/products";
import { findOpenPurchase, ownsContent } from "@/db/queries/orders";
import { orders, type Order } from "@/db/schema";
import { shanghaiDate } from "@/lib/clock";
import { AppError } from "@/lib/errors";
import { newId, newOrderNo } from "@/lib/ids";
import { moduleLogger } from "@/lib/logger";
import { YouzanError } from "@/lib/payments/youzan/types";
import type { OrderDeps } from "./deps";

const log = moduleLogger("orders");

/**
 * A one-off purchase (e-book, course, credit pack) paid by a Youzan dynamic QR code. The order is
 * written before the QR is asked for, so a provider failure never leaves an unrecorded QR; the
 * same buyer asking again for the same product gets the open order back instead of a second QR
 * that could be paid twice.
 */
export async function createPurchaseOrder(
  deps: OrderDeps,
  input: { userId: string; productSlug: string },
): Promise<Order> {
  const { db } = deps;
  const product = await findActiveProductBySlug(db, input.productSlug);
  if (!product) throw new AppError("not_found", "No product with this slug is on sale.");
  if (product.kind === "membership") {
    throw new AppError(
      "bad_request",
      "Membership plans are bought with an Alipay agreement, not a QR order.",
    );
  }
  // Content is bought once; credit packs can be bought again and again.
  if (product.kind === "one_off" && (await ownsContent(db, input.userId, product.id))) {
    throw new AppError("conflict", "You already own this product; it is in your orders.");
  }
  const now = await deps.now();
  const open = await findOpenPurchase(db, input.userId, product.id, now);
  if (open) return open;

  const [order] = await db
    .insert(orders)
    .values({
      id: newId("ord"),
      orderNo: newOrderNo(shanghaiDate(now)),
      userId: input.userId,
      productId: product.id,
      kind: "purchase",
      provider: "youzan",
      amountFen: product.priceFen,
      status: "pending",
      expiresAt: new Date(now.getTime() + deps.orderTtlMinutes * 60_000),
      createdAt: now,
    })
    .returning();
  if (!order) throw new Error("createPurchaseOrder: insert returned nothing");

  try {
    const qr = await deps.youzan.createDynamicQr({
      name: product.nameZh,
      amountFen: order.amountFen,
      source: order.orderNo,
    });
    const [withQr] = await db
      .update(orders)
      .set({ qrId: qr.qrId, qrUrl: qr.qrUrl, qrImage: qr.qrImage, updatedAt: new Date() })
      .where(eq(orders.id, order.id))
      .returning();
    log.info({ orderId: order.id, orderNo: order.orderNo, qrId: qr.qrId }, "order created");
    return withQr ?? order;
  } catch (error) {
    await db
      .update(orders)
      .set({ status: "closed", reviewReason: "qr_create_failed", updatedAt: new Date() })
      .where(eq(orders.id, order.id));
    log.error({ orderId: order.id, err: error }, "QR code creation failed");
    if (error instanceof YouzanError) {
      throw new AppError(
        "provider_unavailable",
        "The payment provider did not answer. Please try again in a moment.",
        undefined,
        { cause: error },
      );
    }
    throw error;
  }
}
