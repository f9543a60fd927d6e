import { eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import {
  agreements,
  alipaySandboxAgreements,
  alipaySandboxSettings,
  alipaySandboxTrades,
  chargeAttempts,
  entitlements,
  orders,
  payments,
  products,
  users,
} from "@/db/schema";
import { addDays, shanghaiDate } from "@/lib/clock";
import { newId, newOrderNo } from "@/lib/ids";
import { PERSONAL_PRODUCT_CODE } from "@/lib/sandbox/alipay/agreements";
import { BUYER } from "@/lib/sandbox/alipay/context";
import { DEFAULT_FAULTS } from "@/lib/sandbox/alipay/faults";
import { DEFAULT_BALANCE_FEN } from "@/lib/sandbox/alipay/settings";
import { newAgreementNo, newTradeNo } from "@/lib/sandbox/alipay/time";
import { chargeOutTradeNo, newExternalAgreementNo } from "@/lib/subscriptions/numbers";

/*
 * Many weekly memberships due for the charge phase, written straight into both sides with
 * multi-row INSERTs (10,000 in seconds, where the sign-and-pay flow over HTTP would take minutes):
 *
 * - the shop: a buyer, an ACTIVE agreement with Alipay's number, period 1 paid (its
 *   `membership_initial` order, payment, entitlement and succeeded charge attempt), so the
 *   agreement is on period 2 (`paid_periods` 1) with its next charge `today + k`, inside the
 *   window;
 * - the sandbox: the same agreement NORMAL (same `agreement_no` and external number, the single
 *   amount, one deduction made, `next_deduct_date` the same date), period 1's trade, and a buyer
 *   balance that covers several more periods of all of them.
 *
 * That is exactly what a buyer who signed in the browser `7 − k` days ago leaves behind, so the
 * charge phase, the real client and the sandbox treat these rows like any others.
 */

const DAY_MS = 86_400_000;
/** What the shop's client sends as `sign_scene` (lib/payments/alipay/gateway.ts, not exported). */
const SIGN_SCENE = "INDUSTRY|DIGITAL_MEDIA";
const PRODUCT_CODE = "GENERAL_WITHHOLDING";
const SUBJECT = (period: number) => `Xiaopu membership period ${period}`;

export interface DueAgreementsOptions {
  /** How many buyers (one agreement each). */
  count: number;
  /** The shop's now (the sandbox's virtual clock in tests). */
  now: Date;
  /** A seeded membership plan (default `membership-weekly`, 7 days). */
  productSlug?: string;
  /**
   * Days from today to each next charge date (`i` is the agreement's index); every value must
   * be between the first attempt and the date: 0…4 for a weekly plan (its first renewal is
   * tried `remindDays` = 3 days after the period began, `firstAttemptDate`), 0…5 for longer
   * ones. Default: spread over 0…4.
   */
  daysAhead?: (i: number) => number;
  /** Rows per INSERT (default 500). */
  chunkSize?: number;
  /** Periods of every agreement the buyer's balance is topped up for (default 4). */
  balancePeriods?: number;
}

export interface DueAgreement {
  id: string;
  userId: string;
  agreementNo: string;
  externalAgreementNo: string;
  nextChargeDate: string;
  /** Period 1's (paid) order. */
  periodOneOrderId: string;
}

export interface DueAgreements {
  today: string;
  productId: string;
  amountFen: number;
  periodDays: number;
  agreements: DueAgreement[];
}

function chunks<T>(rows: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/** Agreement numbers are random (12 digits): drawn again on the rare clash within one call. */
function uniqueNumbers(count: number, draw: () => string): string[] {
  const seen = new Set<string>();
  while (seen.size < count) seen.add(draw());
  return [...seen];
}

/** Builds `count` due weekly agreements on both sides, in one transaction. */
export async function makeDueAgreements(
  db: Db,
  options: DueAgreementsOptions,
): Promise<DueAgreements> {
  const { count, now } = options;
  const size = options.chunkSize ?? 500;
  const daysAhead = options.daysAhead ?? ((i: number) => i % 5);
  const slug = options.productSlug ?? "membership-weekly";
  const [plan] = await db.select().from(products).where(eq(products.slug, slug));
  if (!plan?.periodDays || plan.kind !== "membership") {
    throw new Error(`makeDueAgreements: no seeded membership plan "${slug}" (call seed first)`);
  }
  const periodDays = plan.periodDays;
  const amountFen = plan.priceFen;
  const today = shanghaiDate(now);

  const agreementNos = uniqueNumbers(count, () => newAgreementNo(now));
  const rows = agreementNos.map((agreementNo, i) => {
    const k = daysAhead(i);
    if (!Number.isInteger(k) || k < 0) throw new Error(`daysAhead(${i}) = ${k}: not a day count`);
    // Signed and charged period 1 one period before the next charge date, at this time of day.
    const signedAt = new Date(now.getTime() - (periodDays - k) * DAY_MS);
    const signedOn = shanghaiDate(signedAt);
    const orderNo = newOrderNo(signedOn);
    return {
      i,
      userId: newId("usr"),
      agreementId: newId("agr"),
      agreementNo,
      externalAgreementNo: newExternalAgreementNo(signedOn),
      nextChargeDate: addDays(today, k),
      signedAt,
      orderId: newId("ord"),
      orderNo,
      tradeNo: newTradeNo(signedAt),
      outTradeNo: chargeOutTradeNo(orderNo, 1),
    };
  });

  await db.transaction(async (tx) => {
    for (const part of chunks(rows, size)) {
      await tx.insert(users).values(
        part.map((r) => ({
          id: r.userId,
          email: `${r.userId}@bench.example.com`.toLowerCase(),
          passwordHash: "scrypt$x",
          createdAt: new Date(r.signedAt.getTime() - 60_000),
        })),
      );
      await tx.insert(agreements).values(
        part.map((r) => ({
          id: r.agreementId,
          userId: r.userId,
          productId: plan.id,
          externalAgreementNo: r.externalAgreementNo,
          agreementNo: r.agreementNo,
          alipayUserId: BUYER.userId,
          status: "active" as const,
          singleAmountFen: amountFen,
          periodDays,
          nextChargeDate: r.nextChargeDate,
          currentPeriod: 2,
          autoRenew: true,
          signFlow: "page_sign",
          paidPeriods: 1,
          signedAt: r.signedAt,
          createdAt: new Date(r.signedAt.getTime() - 30_000),
        })),
      );
      await tx.insert(orders).values(
        part.map((r) => ({
          id: r.orderId,
          orderNo: r.orderNo,
          userId: r.userId,
          productId: plan.id,
          kind: "membership_initial" as const,
          provider: "alipay" as const,
          amountFen,
          status: "paid" as const,
          agreementId: r.agreementId,
          periodIndex: 1,
          paidAt: r.signedAt,
          createdAt: new Date(r.signedAt.getTime() - 30_000),
        })),
      );
      await tx.insert(chargeAttempts).values(
        part.map((r) => ({
          id: newId("chg"),
          agreementId: r.agreementId,
          orderId: r.orderId,
          periodIndex: 1,
          attemptNo: 1,
          outTradeNo: r.outTradeNo,
          amountFen,
          status: "succeeded" as const,
          tradeNo: r.tradeNo,
          createdAt: r.signedAt,
          finishedAt: r.signedAt,
        })),
      );
      await tx.insert(payments).values(
        part.map((r) => ({
          id: newId("pay"),
          orderId: r.orderId,
          provider: "alipay" as const,
          providerTradeNo: r.tradeNo,
          amountFen,
          status: "paid" as const,
          buyerRef: BUYER.userId,
          paidAt: r.signedAt,
          createdAt: r.signedAt,
        })),
      );
      await tx.insert(entitlements).values(
        part.map((r) => ({
          id: newId("ent"),
          userId: r.userId,
          orderId: r.orderId,
          productId: plan.id,
          kind: "membership" as const,
          startsAt: r.signedAt,
          expiresAt: new Date(r.signedAt.getTime() + periodDays * DAY_MS),
          createdAt: r.signedAt,
        })),
      );
      await tx.insert(alipaySandboxAgreements).values(
        part.map((r) => ({
          agreementNo: r.agreementNo,
          externalAgreementNo: r.externalAgreementNo,
          buyerUserId: BUYER.userId,
          personalProductCode: PERSONAL_PRODUCT_CODE,
          productCode: PRODUCT_CODE,
          signScene: SIGN_SCENE,
          status: "NORMAL",
          periodType: "DAY",
          period: periodDays,
          singleAmountFen: amountFen,
          totalAmountFen: null,
          totalPayments: null,
          deductedFen: amountFen,
          deductedCount: 1,
          nextDeductDate: r.nextChargeDate,
          modifyCount: 0,
          lastDeductTime: r.signedAt,
          signTime: r.signedAt,
          validTime: r.signedAt,
          invalidTime: null,
          source: "page.sign",
        })),
      );
      await tx.insert(alipaySandboxTrades).values(
        part.map((r) => ({
          tradeNo: r.tradeNo,
          outTradeNo: r.outTradeNo,
          method: "alipay.trade.pay",
          agreementNo: r.agreementNo,
          status: "TRADE_SUCCESS",
          totalFen: amountFen,
          subject: SUBJECT(1),
          productCode: PRODUCT_CODE,
          // The sandbox's own fingerprint of a trade.pay (trades.ts), so a replay matches it.
          fingerprint: JSON.stringify({
            totalFen: String(amountFen),
            subject: SUBJECT(1),
            agreementNo: r.agreementNo,
            productCode: PRODUCT_CODE,
          }),
          buyerUserId: BUYER.userId,
          createdAt: r.signedAt,
          paidAt: r.signedAt,
        })),
      );
    }
    // The sandbox has one buyer: top its balance up for several periods of all of these.
    const topUp = count * amountFen * (options.balancePeriods ?? 4);
    await tx
      .insert(alipaySandboxSettings)
      .values({ id: 1, faults: DEFAULT_FAULTS, buyerBalanceFen: DEFAULT_BALANCE_FEN + topUp })
      .onConflictDoUpdate({
        target: alipaySandboxSettings.id,
        set: { buyerBalanceFen: sql`${alipaySandboxSettings.buyerBalanceFen} + ${topUp}` },
      });
  });

  return {
    today,
    productId: plan.id,
    amountFen,
    periodDays,
    agreements: rows.map((r) => ({
      id: r.agreementId,
      userId: r.userId,
      agreementNo: r.agreementNo,
      externalAgreementNo: r.externalAgreementNo,
      nextChargeDate: r.nextChargeDate,
      periodOneOrderId: r.orderId,
    })),
  };
}
