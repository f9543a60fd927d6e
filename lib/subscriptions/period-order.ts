import { insertPeriodOrderWithAttempt, type ChargeAttempt } from "@/db/queries/agreements";
import {
  findAgreementOrder,
  insertAgreementOrder,
  type NewAgreementOrder,
} from "@/db/queries/orders";
import type { Agreement, Order } from "@/db/schema";
import { shanghaiDate } from "@/lib/clock";
import { newId, newOrderNo } from "@/lib/ids";
import type { SubscriptionDeps } from "./deps";
import { chargeOutTradeNo } from "./numbers";

/**
 * The order of one period of an agreement: found, or created (unique per agreement and period,
 * races included: the loser reads the winner's). Period 1 is the membership's first order, later
 * ones are renewals. `likelyNew` (a period never tried) inserts first and reads only on conflict.
 */
export async function periodOrderOf(
  deps: Pick<SubscriptionDeps, "db" | "now">,
  agreement: Agreement,
  period: number,
  options: { likelyNew?: boolean } = {},
): Promise<Order> {
  if (!options.likelyNew) {
    const existing = await findAgreementOrder(deps.db, agreement.id, period);
    if (existing) return existing;
  }
  const inserted = await insertAgreementOrder(
    deps.db,
    newPeriodOrder(agreement, period, await deps.now()),
  );
  return inserted ?? (await findAgreementOrder(deps.db, agreement.id, period))!;
}

function newPeriodOrder(agreement: Agreement, period: number, now: Date): NewAgreementOrder {
  return {
    id: newId("ord"),
    orderNo: newOrderNo(shanghaiDate(now)),
    userId: agreement.userId,
    productId: agreement.productId,
    amountFen: agreement.singleAmountFen,
    agreementId: agreement.id,
    periodIndex: period,
    kind: period === 1 ? "membership_initial" : "renewal",
  };
}

/**
 * A period never tried: its order and its first attempt (numbered as `chargePeriod` numbers
 * them) made in one statement. Null when the period has its order already: the caller takes
 * the usual way (`periodOrderOf`, then `chargePeriod`).
 */
export async function newPeriodOrderWithAttempt(
  deps: Pick<SubscriptionDeps, "db" | "now">,
  agreement: Agreement,
  period: number,
  billingRunId: string | null,
): Promise<{ order: Order; attempt: ChargeAttempt } | null> {
  const order = newPeriodOrder(agreement, period, await deps.now());
  return insertPeriodOrderWithAttempt(deps.db, order, {
    id: newId("chg"),
    outTradeNo: chargeOutTradeNo(order.orderNo, 1),
    billingRunId,
  });
}
