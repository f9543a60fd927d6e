import { noticeRefund } from "@/lib/notices/triggers";
import "server-only";
import type { Db } from "@/db/client";
import { lockMembershipEndOfOrder } from "@/db/queries/entitlements";
import type { Payment } from "@/db/queries/payments";
import {
  addRefundToPayment,
  completeRefund,
  markOrderRefunded,
  membershipCutOfOrder,
  moveLaterMembershipGrants,
  revokeGrant,
  shortenGrant,
  type OrderForRefund,
} from "@/db/queries/refunds";
import type { Refund } from "@/db/schema";
import { takeBackRefundedPack } from "@/lib/credits/ledger";
import { grantChange } from "./rules";

/** The order, its trade and its grant as the owner sees them, before and after a refund. */
export interface RefundSnapshot {
  orderStatus: string;
  paymentStatus: string;
  paymentRefundedFen: number;
  grantExpiresAt: string | null;
  grantRevoked: boolean;
  /** A credit pack's revoked grant: the credits taken back from the balance (after only). */
  creditsTakenBack?: number;
}

export function snapshotOf(
  order: { status: string },
  payment: Pick<Payment, "status" | "refundedFen">,
  grant: { expiresAt: Date | null; revokedAt: Date | null } | null,
): RefundSnapshot {
  return {
    orderStatus: order.status,
    paymentStatus: payment.status,
    paymentRefundedFen: payment.refundedFen,
    grantExpiresAt: grant?.expiresAt?.toISOString() ?? null,
    grantRevoked: grant ? grant.revokedAt !== null : false,
  };
}

export interface AppliedRefund {
  refund: Refund;
  before: RefundSnapshot;
  after: RefundSnapshot;
  membershipCutSeconds: number | null;
}

/**
 * A refund that went through, applied in the caller's transaction with the order row locked
 * (`locked` was read under that lock): the refund row leaves `pending` (once: a second caller
 * gets null and changes nothing), the trade's refunded amount grows (never past what it paid:
 * `payments_refund_within_amount`), the order becomes `refunded` when its paying trade (or, in
 * review, every trade) is refunded in full, and the grant is revoked or shortened (rules.ts);
 * a revoked credit pack takes back what is left of its credits (lib/credits/ledger.ts).
 */
export async function applySucceededRefund(
  tx: Db,
  locked: OrderForRefund,
  refund: Refund,
  now: Date,
): Promise<AppliedRefund | null> {
  const payment = locked.payments.find((p) => p.id === refund.paymentId);
  if (!payment)
    throw new Error(`refund ${refund.id}: payment ${refund.paymentId} not on the order`);
  const { order, grant } = locked;
  // Only the order's paying trade carries its grant; a duplicate trade refunded leaves it be.
  const paying = payment.status === "paid";
  const cutBefore = paying ? await membershipCutOfOrder(tx, order.id) : 0;
  const change = paying
    ? grantChange({
        grant,
        paidFen: payment.amountFen,
        refundedBeforeFen: payment.refundedFen,
        amountFen: refund.amountFen,
        cutBeforeSeconds: cutBefore,
      })
    : ({ kind: "none" } as const);
  const cut = change.kind === "none" ? null : change.cutSeconds;
  // Moving a membership's periods takes the buyer's lock, as settling one does (after the
  // order's): a period settling at the same moment stacks on the moved end, not the old one.
  if (grant?.kind === "membership" && change.kind !== "none") {
    await lockMembershipEndOfOrder(tx, order.id);
  }
  const completed = await completeRefund(tx, refund.id, {
    completedAt: now,
    membershipCutSeconds: cut,
  });
  if (!completed) return null;
  await noticeRefund(tx, { userId: order.userId, refundId: refund.id, orderId: order.id });
  const before = snapshotOf(order, payment, grant);
  const paymentAfter = await addRefundToPayment(tx, payment.id, refund.amountFen, now);
  if (!paymentAfter) throw new Error(`refund ${refund.id}: payment vanished`);
  let grantAfter = grant;
  let creditsTakenBack: number | null = null;
  if (grant && change.kind === "revoke") {
    await revokeGrant(tx, grant.id, now);
    if (change.moveLaterBySeconds > 0 && grant.expiresAt) {
      await moveLaterMembershipGrants(
        tx,
        order.userId,
        grant.id,
        grant.expiresAt,
        change.moveLaterBySeconds,
      );
    }
    grantAfter = { ...grant, revokedAt: now };
    if (grant.kind === "credits" && grant.credits !== null) {
      // What is left of the pack goes with it; credits already used stay used (rules.ts).
      creditsTakenBack = await takeBackRefundedPack(tx, {
        userId: grant.userId,
        orderId: order.id,
        credits: grant.credits,
      });
    }
  } else if (grant && change.kind === "shorten" && grant.expiresAt) {
    await shortenGrant(tx, grant.id, change.cutSeconds);
    await moveLaterMembershipGrants(tx, order.userId, grant.id, grant.expiresAt, change.cutSeconds);
    grantAfter = {
      ...grant,
      expiresAt: new Date(grant.expiresAt.getTime() - change.cutSeconds * 1000),
    };
  }
  const othersRefunded = locked.payments
    .filter((p) => p.id !== payment.id && p.status !== "refunded")
    .every((p) => p.amountFen === p.refundedFen);
  const fullyRefunded = paymentAfter.status === "refunded";
  const orderRefunded = fullyRefunded && (paying || (order.status === "review" && othersRefunded));
  const orderAfter = orderRefunded ? await markOrderRefunded(tx, order.id) : order;
  return {
    refund: completed,
    before,
    after: {
      ...snapshotOf(orderAfter ?? order, paymentAfter, grantAfter),
      ...(creditsTakenBack === null ? {} : { creditsTakenBack }),
    },
    membershipCutSeconds: cut,
  };
}
