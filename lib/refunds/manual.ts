import "server-only";
import type { Db } from "@/db/client";
import { insertAudit } from "@/db/queries/audit";
import { insertRefund, lockOrderForRefund } from "@/db/queries/refunds";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { applySucceededRefund, type RefundSnapshot } from "./apply";
import { refundableFen } from "./rules";

/** The owner's note on a refund made outside the shop: required, at most this long. */
export const MANUAL_NOTE_MAX = 500;

export interface ManualRefundInput {
  orderNo: string;
  note: string;
  actorUserId: string;
}

export interface ManualRefundResult {
  refunds: { id: string; amountFen: number; tradeNo: string }[];
  before: RefundSnapshot[];
  after: RefundSnapshot[];
}

/**
 * The owner gave the money back outside the shop: a Youzan QR order (Youzan's QR trades have no
 * refund API) or an order in review (money received but not applied). Every trade of the order
 * with something left to refund gets a `manual` refund row for the rest, with the note; the
 * trades become refunded, the order `refunded`, its grant revoked (a membership's period taken
 * off its end) — one transaction with the order locked, one audit row with before and after.
 */
export async function recordManualRefund(
  deps: { db: Db; now: () => Promise<Date> },
  input: ManualRefundInput,
): Promise<ManualRefundResult> {
  const note = input.note.trim();
  if (note === "" || note.length > MANUAL_NOTE_MAX) {
    throw new AppError("validation_failed", "A note is required.", { note: ["refund.note"] });
  }
  const now = await deps.now();
  return deps.db.transaction(async (tx) => {
    const locked = await lockOrderForRefund(tx, input.orderNo);
    if (!locked) throw new AppError("not_found", "No such order.");
    const { order } = locked;
    const allowed =
      order.status === "review" || (order.provider === "youzan" && order.status === "paid");
    if (!allowed) {
      throw new AppError(
        "conflict",
        order.provider === "alipay" && order.status === "paid"
          ? "Refund Alipay orders through Alipay."
          : `An order that is ${order.status} cannot be marked refunded.`,
      );
    }
    if (locked.pending) {
      throw new AppError("conflict", "A refund of this order is in progress at Alipay.");
    }
    // The paying trade first: its grant is the one a refund takes back.
    const open = locked.payments
      .filter((p) => refundableFen(p) > 0)
      .sort((a, b) => Number(b.status === "paid") - Number(a.status === "paid"));
    if (open.length === 0) {
      throw new AppError("conflict", "Nothing was paid for this order that is not refunded.");
    }
    const done: ManualRefundResult = { refunds: [], before: [], after: [] };
    let current = locked;
    for (const payment of open) {
      const refund = await insertRefund(tx, {
        id: newId("rfd"),
        orderId: order.id,
        paymentId: payment.id,
        provider: payment.provider,
        method: "manual",
        outRequestNo: null,
        amountFen: refundableFen(payment),
        // Applied at once below (pending → succeeded), under the lock held since it was read.
        status: "pending",
        note,
        requestedBy: input.actorUserId,
        completedAt: null,
      });
      if (!refund) throw new Error("manual refund: a pending refund appeared under the lock");
      const applied = await applySucceededRefund(tx, current, refund, now);
      if (!applied) throw new Error("manual refund: not applied under the lock");
      done.refunds.push({
        id: refund.id,
        amountFen: refund.amountFen,
        tradeNo: payment.providerTradeNo,
      });
      done.before.push(applied.before);
      done.after.push(applied.after);
      // The next trade is applied against the state this one left.
      const next = await lockOrderForRefund(tx, input.orderNo);
      if (!next) throw new Error("manual refund: order vanished");
      current = next;
    }
    await insertAudit(tx, {
      actorKind: "user",
      actorUserId: input.actorUserId,
      action: "order.refund_recorded",
      targetType: "order",
      targetId: order.id,
      details: {
        note,
        refunds: done.refunds,
        before: { orderStatus: order.status, trades: done.before },
        after: { orderStatus: current.order.status, trades: done.after },
      },
    });
    return done;
  });
}
