import "server-only";
import type { Db } from "@/db/client";
import { endAgreement } from "@/db/queries/agreements";
import { insertAgreementEndedNotice } from "@/db/queries/notices";
import type { Order } from "@/db/schema";
import { newId } from "@/lib/ids";
import { enqueueBuyerAndOwnerNotices, enqueueBuyerNotice, eventKeys } from "./enqueue";
import type { NoticeKind } from "./kinds";

/*
 * The notices each state change writes, called inside the transaction of that change. They are
 * idempotent (one row per event, recipient and kind), so a settlement replayed, a notification
 * delivered twice or a run retried never writes a second notice.
 */

/** An order just became paid: the buyer's receipt (or membership notice), the owner's alert. */
export async function noticeOrderPaid(tx: Db, order: Pick<Order, "id" | "userId" | "kind">) {
  const eventKey = eventKeys.order(order.id);
  const buyerKind: NoticeKind =
    order.kind === "purchase"
      ? "receipt"
      : order.kind === "membership_initial"
        ? "membership_started"
        : "renewal_succeeded";
  const buyer = { kind: buyerKind, eventKey, userId: order.userId, data: { orderId: order.id } };
  // Renewals are counted in the owner's daily digest rather than announced one by one.
  if (order.kind === "renewal") {
    await enqueueBuyerNotice(tx, buyer);
    return;
  }
  // One statement for both: a payment is the shop's hottest write (docs/PERFORMANCE.md).
  await enqueueBuyerAndOwnerNotices(tx, buyer, {
    kind: "owner_new_order",
    eventKey,
    userId: order.userId,
    data: { orderId: order.id },
  });
}

/** A renewal charge failed: one notice per period, however many attempts fail. */
export async function noticeRenewalFailed(
  tx: Db,
  n: { userId: string; agreementId: string; periodIndex: number; orderId: string },
) {
  await enqueueBuyerNotice(tx, {
    kind: "renewal_failed",
    eventKey: eventKeys.period(n.agreementId, n.periodIndex),
    userId: n.userId,
    data: { agreementId: n.agreementId, periodIndex: n.periodIndex, orderId: n.orderId },
  });
}

/** An agreement that had paid periods ended: auto-renewal is off (by the buyer, Alipay or us). */
export async function noticeAgreementEnded(
  tx: Db,
  agreementId: string,
  via: "shop" | "wallet" | "provider",
) {
  await insertAgreementEndedNotice(tx, {
    id: newId("ntc"),
    agreementId,
    eventKey: eventKeys.agreementClosed(agreementId),
    via,
  });
}

/** A refund succeeded. */
export async function noticeRefund(
  tx: Db,
  n: { userId: string; refundId: string; orderId: string },
) {
  await enqueueBuyerNotice(tx, {
    kind: "refund",
    eventKey: eventKeys.refund(n.refundId),
    userId: n.userId,
    data: { refundId: n.refundId, orderId: n.orderId },
  });
}

/**
 * Ends an agreement (`endAgreement`) and, in the same transaction, tells the buyer when it was a
 * paying membership. Returns whether this call ended it.
 */
export async function endAgreementWithNotice(
  db: Db,
  agreementId: string,
  to: "unsigned" | "closed",
  at: Date,
  via: "shop" | "wallet" | "provider",
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const ended = await endAgreement(tx, agreementId, to, at);
    if (ended) await noticeAgreementEnded(tx, agreementId, via);
    return ended;
  });
}
