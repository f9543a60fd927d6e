import "server-only";
import { and, eq } from "drizzle-orm";
import type { Db } from "../client";
import { payments } from "../schema";

export type Payment = typeof payments.$inferSelect;
type Provider = Payment["provider"];

/** The recorded provider trade, locked until the transaction ends (`payments_provider_trade_uq`). */
export async function lockPaymentByTrade(
  tx: Db,
  provider: Provider,
  tradeNo: string,
): Promise<Payment | undefined> {
  const [row] = await tx
    .select()
    .from(payments)
    .where(and(eq(payments.provider, provider), eq(payments.providerTradeNo, tradeNo)))
    .for("update");
  return row;
}

export type NewPayment = Pick<
  typeof payments.$inferInsert,
  "id" | "orderId" | "provider" | "providerTradeNo" | "amountFen" | "status" | "buyerRef" | "paidAt"
>;

export async function insertPayment(tx: Db, values: NewPayment): Promise<void> {
  await tx.insert(payments).values(values);
}
