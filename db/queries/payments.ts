import "server-only";
import { and, eq } from "drizzle-orm";
import type { Db } from "../client";
import { statement, type Slots } from "../statement";
import { payments } from "../schema";

export type Payment = typeof payments.$inferSelect;
type Provider = Payment["provider"];

/**
 * Whether a provider trade is recorded already (no lock): a push of a known trade can then be
 * answered without asking the provider again, since settling it would change nothing.
 */
export async function isTradeRecorded(
  db: Db,
  provider: Provider,
  tradeNo: string,
): Promise<boolean> {
  const rows = await tradeRecordedStatement.run(db, { provider, tradeNo });
  return rows.length > 0;
}

const tradeRecordedStatement = statement(
  (db, slot: Slots<{ provider: Provider; tradeNo: string }>) =>
    db
      .select({ id: payments.id })
      .from(payments)
      .where(and(eq(payments.provider, slot.provider), eq(payments.providerTradeNo, slot.tradeNo))),
);

export type NewPayment = Pick<
  typeof payments.$inferInsert,
  "id" | "orderId" | "provider" | "providerTradeNo" | "amountFen" | "status" | "buyerRef" | "paidAt"
>;

export async function insertPayment(tx: Db, values: NewPayment): Promise<void> {
  await insertPaymentStatement.run(tx, {
    ...values,
    buyerRef: values.buyerRef ?? null,
    paidAt: values.paidAt ?? null,
  });
}

const insertPaymentStatement = statement((db, slot: Slots<Required<NewPayment>>) =>
  db.insert(payments).values({
    id: slot.id,
    orderId: slot.orderId,
    provider: slot.provider,
    providerTradeNo: slot.providerTradeNo,
    amountFen: slot.amountFen,
    status: slot.status,
    buyerRef: slot.buyerRef,
    paidAt: slot.paidAt,
  }),
);

/**
 * The owner accepted a trade recorded for review: it becomes the order's paying trade (still at
 * most one per order: `payments_order_paid_uq`).
 */
export async function acceptRecordedTrade(
  tx: Db,
  orderId: string,
  provider: Provider,
  tradeNo: string,
): Promise<void> {
  await tx
    .update(payments)
    .set({ status: "paid" })
    .where(
      and(
        eq(payments.orderId, orderId),
        eq(payments.provider, provider),
        eq(payments.providerTradeNo, tradeNo),
        eq(payments.status, "mismatch"),
      ),
    );
}
