import "server-only";
import { addDays, addMonths } from "date-fns";
import { and, count, eq, inArray } from "drizzle-orm";
import { alipaySandboxAgreements as agreements } from "@/db/schema";
import { BUYER, type AlipayContext } from "./context";
import type { AlipayFaults } from "./faults";
import { enqueueNotifications } from "./notify";
import { formatAlipayTime, isCalendarDate, newAgreementNo, parseYuan, yuan } from "./time";

/*
 * Agreements (spec §4.2, §4.8–4.10, §6, §9.5, §9.7): TEMP → NORMAL ⇄ STOP → UNSIGN.
 */

export type AgreementRow = typeof agreements.$inferSelect;

export const PERSONAL_PRODUCT_CODE = "CYCLE_PAY_AUTH_P";
export const INVALID_TIME = "2115-02-01 00:00:00";
const DEFAULT_SCENE = "DEFAULT|DEFAULT";

export interface SignTerms {
  personalProductCode: string;
  productCode: string | null;
  signScene: string;
  externalAgreementNo: string | null;
  periodType: "DAY" | "MONTH";
  period: number;
  executeTime: string;
  singleAmountFen: number;
  totalAmountFen: number | null;
  totalPayments: number | null;
  signNotifyUrl: string | null;
  /** `sign_validity_period` (`12m`, `30d`); null = long-term. */
  validity: { amount: number; unit: "d" | "m" } | null;
}

type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const asRecord = (value: unknown): Record<string, unknown> | null =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;

const text = (value: unknown): string | undefined =>
  typeof value === "string" ? value : typeof value === "number" ? String(value) : undefined;

/** `agreement_sign_params` (app.pay) or the page.sign biz_content: the rules of §4.2 and §6. */
export function parseSignTerms(raw: unknown): Parsed<SignTerms> {
  const p = asRecord(raw);
  if (!p) return { ok: false, reason: "agreement_sign_params missing" };
  const fail = (reason: string): Parsed<SignTerms> => ({ ok: false, reason });
  if (p.personal_product_code !== PERSONAL_PRODUCT_CODE) {
    return fail(`personal_product_code must be ${PERSONAL_PRODUCT_CODE}`);
  }
  const access = asRecord(p.access_params);
  if (!access || typeof access.channel !== "string" || access.channel === "") {
    return fail("access_params.channel missing");
  }
  const rule = asRecord(p.period_rule_params);
  if (!rule) return fail("period_rule_params missing");
  const periodType = rule.period_type;
  if (periodType !== "DAY" && periodType !== "MONTH")
    return fail("period_type must be DAY or MONTH");
  const period = Number(text(rule.period));
  if (!Number.isInteger(period) || period < 1) return fail("period must be a positive integer");
  if (periodType === "DAY" && period < 7) return fail("DAY period must be at least 7");
  const executeTime = text(rule.execute_time) ?? "";
  if (!isCalendarDate(executeTime)) return fail("execute_time must be yyyy-MM-dd");
  if (periodType === "MONTH" && Number(executeTime.slice(8)) > 28) {
    return fail("MONTH execute_time day must be 1-28");
  }
  const singleAmountFen = parseYuan(text(rule.single_amount));
  if (singleAmountFen === null || singleAmountFen <= 0) return fail("single_amount invalid");
  const totalText = text(rule.total_amount);
  const totalAmountFen = totalText === undefined ? null : parseYuan(totalText);
  if (totalText !== undefined && totalAmountFen === null) return fail("total_amount invalid");
  const paymentsText = text(rule.total_payments);
  const totalPayments = paymentsText === undefined ? null : Number(paymentsText);
  if (totalPayments !== null && (!Number.isInteger(totalPayments) || totalPayments < 1)) {
    return fail("total_payments invalid");
  }
  const external = text(p.external_agreement_no) ?? null;
  if (external !== null && !/^[A-Za-z0-9]{1,32}$/.test(external)) {
    return fail("external_agreement_no must be 1-32 letters or digits");
  }
  const scene = text(p.sign_scene) || null;
  if (external !== null && (scene === null || scene === DEFAULT_SCENE)) {
    return fail("sign_scene is required (not DEFAULT|DEFAULT) with external_agreement_no");
  }
  const validityText = text(p.sign_validity_period);
  const validityMatch = validityText ? /^([1-9]\d{0,3})([dm])$/.exec(validityText) : null;
  if (validityText && !validityMatch) return fail("sign_validity_period must look like 30d or 12m");
  return {
    ok: true,
    value: {
      validity: validityMatch
        ? { amount: Number(validityMatch[1]), unit: validityMatch[2] as "d" | "m" }
        : null,
      personalProductCode: PERSONAL_PRODUCT_CODE,
      productCode: text(p.product_code) ?? null,
      signScene: scene ?? DEFAULT_SCENE,
      externalAgreementNo: external,
      periodType,
      period,
      executeTime,
      singleAmountFen,
      totalAmountFen,
      totalPayments,
      signNotifyUrl: text(p.sign_notify_url) || null,
    },
  };
}

/** Creates a NORMAL agreement for the buyer, or says why it cannot (limit, duplicate number). */
export async function createAgreement(
  ctx: AlipayContext,
  terms: SignTerms,
  source: "app.pay" | "page.sign",
  now: Date,
  maxPerUser: number,
): Promise<Parsed<AgreementRow>> {
  const [active] = await ctx.db
    .select({ n: count() })
    .from(agreements)
    .where(
      and(eq(agreements.buyerUserId, BUYER.userId), inArray(agreements.status, ["NORMAL", "STOP"])),
    );
  if ((active?.n ?? 0) >= maxPerUser) {
    return { ok: false, reason: `at most ${maxPerUser} agreements per user per merchant` };
  }
  const rows = await ctx.db
    .insert(agreements)
    .values({
      agreementNo: newAgreementNo(now),
      externalAgreementNo: terms.externalAgreementNo,
      buyerUserId: BUYER.userId,
      personalProductCode: terms.personalProductCode,
      productCode: terms.productCode,
      signScene: terms.signScene,
      status: "NORMAL",
      periodType: terms.periodType,
      period: terms.period,
      singleAmountFen: terms.singleAmountFen,
      totalAmountFen: terms.totalAmountFen,
      totalPayments: terms.totalPayments,
      nextDeductDate: terms.executeTime,
      signTime: now,
      validTime: now,
      invalidTime: terms.validity
        ? terms.validity.unit === "d"
          ? addDays(now, terms.validity.amount)
          : addMonths(now, terms.validity.amount)
        : null,
      source,
    })
    .onConflictDoNothing()
    .returning();
  const row = rows[0];
  if (!row) return { ok: false, reason: "external_agreement_no already used" };
  return { ok: true, value: row };
}

export async function findAgreement(
  ctx: AlipayContext,
  by: { agreementNo?: string; externalAgreementNo?: string },
): Promise<AgreementRow | null> {
  const where = by.agreementNo
    ? eq(agreements.agreementNo, by.agreementNo)
    : by.externalAgreementNo
      ? eq(agreements.externalAgreementNo, by.externalAgreementNo)
      : null;
  if (!where) return null;
  const [row] = await ctx.db.select().from(agreements).where(where);
  return row ?? null;
}

export async function listAgreements(ctx: AlipayContext): Promise<AgreementRow[]> {
  return ctx.db.select().from(agreements).orderBy(agreements.signTime);
}

/** The common fields of sign and unsign notifications (§5.3–5.4). */
function agreementFields(row: AgreementRow) {
  return {
    agreement_no: row.agreementNo,
    external_agreement_no: row.externalAgreementNo,
    personal_product_code: row.personalProductCode,
    sign_scene: row.signScene,
    alipay_user_id: row.buyerUserId,
    alipay_logon_id: BUYER.logonId,
  };
}

export function signNotifyFields(row: AgreementRow) {
  return {
    ...agreementFields(row),
    status: "NORMAL",
    sign_time: formatAlipayTime(row.signTime),
    valid_time: formatAlipayTime(row.validTime),
    invalid_time: invalidTimeText(row),
  };
}

export const invalidTimeText = (row: AgreementRow) =>
  row.invalidTime ? formatAlipayTime(row.invalidTime) : INVALID_TIME;

/** Past its `sign_validity_period`: silently invalid (no notify, §5.1). */
export const isExpired = (row: AgreementRow, now: Date) =>
  row.invalidTime !== null && row.invalidTime.getTime() <= now.getTime();

/**
 * Unsigns (merchant API or the user in the wallet); the unsign notify goes to `targetUrl`
 * (null → the app gateway) unless `notify` is false. False when it was not signed. `faults`:
 * the request's, when already read.
 */
export async function unsignAgreement(
  ctx: AlipayContext,
  agreementNo: string,
  now: Date,
  options: { targetUrl: string | null; notify: boolean; faults?: AlipayFaults },
): Promise<boolean> {
  const [row] = await ctx.db
    .update(agreements)
    .set({ status: "UNSIGN", unsignTime: now })
    .where(
      and(
        eq(agreements.agreementNo, agreementNo),
        inArray(agreements.status, ["TEMP", "NORMAL", "STOP"]),
      ),
    )
    .returning();
  if (!row) return false;
  if (options.notify) {
    await enqueueNotifications(
      ctx,
      [
        {
          notifyType: "dut_user_unsign",
          targetUrl: options.targetUrl,
          fields: {
            ...agreementFields(row),
            status: "UNSIGN",
            unsign_time: formatAlipayTime(now),
          },
        },
      ],
      now,
      options.faults,
    );
  }
  return true;
}

/** Pause (NORMAL → STOP) or resume (STOP → NORMAL); false when the state does not allow it. */
export async function setPaused(
  ctx: AlipayContext,
  agreementNo: string,
  paused: boolean,
): Promise<boolean> {
  const rows = await ctx.db
    .update(agreements)
    .set({ status: paused ? "STOP" : "NORMAL" })
    .where(
      and(
        eq(agreements.agreementNo, agreementNo),
        eq(agreements.status, paused ? "NORMAL" : "STOP"),
      ),
    )
    .returning({ no: agreements.agreementNo });
  return rows.length > 0;
}

/** `alipay.user.agreement.query` fields (§4.9). */
export function agreementQueryFields(row: AgreementRow) {
  return {
    agreement_no: row.agreementNo,
    ...(row.externalAgreementNo ? { external_agreement_no: row.externalAgreementNo } : {}),
    personal_product_code: row.personalProductCode,
    sign_scene: row.signScene,
    status: row.status,
    sign_time: formatAlipayTime(row.signTime),
    valid_time: formatAlipayTime(row.validTime),
    invalid_time: invalidTimeText(row),
    alipay_logon_id: BUYER.logonId,
    principal_id: row.buyerUserId,
    pricipal_type: "CARD",
    third_party_type: "PARTNER",
    single_quota: yuan(row.singleAmountFen),
    next_deduct_time: row.nextDeductDate,
    ...(row.lastDeductTime ? { last_deduct_time: formatAlipayTime(row.lastDeductTime) } : {}),
  };
}
