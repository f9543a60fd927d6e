import { findAgreementOrder, insertAgreementOrder } from "@/db/queries/orders";
import type { Agreement, Order } from "@/db/schema";
import { shanghaiDate } from "@/lib/clock";
import { newId, newOrderNo } from "@/lib/ids";
import type { SubscriptionDeps } from "./deps";

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
  const inserted = await insertAgreementOrder(deps.db, {
    id: newId("ord"),
    orderNo: newOrderNo(shanghaiDate(await deps.now())),
    userId: agreement.userId,
    productId: agreement.productId,
    amountFen: agreement.singleAmountFen,
    agreementId: agreement.id,
    periodIndex: period,
    kind: period === 1 ? "membership_initial" : "renewal",
  });
  return inserted ?? (await findAgreementOrder(deps.db, agreement.id, period))!;
}
