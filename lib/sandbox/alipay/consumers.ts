import "server-only";
import { and, eq } from "drizzle-orm";
import { alipaySandboxTrades as trades } from "@/db/schema";
import { SandboxError } from "@/lib/sandbox/youzan/errors";
import { createAgreement, parseSignTerms, signNotifyFields, type SignTerms } from "./agreements";
import { BUYER, type AlipayContext } from "./context";
import { enqueueNotifications, type PlannedNotification } from "./notify";
import { emitJson, responseKey } from "./responses";
import { debitBalance, readSettings } from "./settings";
import { requestSignContent, rsa2Sign, rsa2Verify, type Params } from "./signing";
import { formatAlipayTime, newTradeNo, parseAlipayTime, parseYuan, yuan } from "./time";
import { tradeNotify, type TradeRow } from "./trades";

/*
 * What the Alipay app does with an order string (spec §9.5–9.6) and what the sign page does with
 * a page.sign URL. A string that is not a valid signed request is refused (SandboxError 400, the
 * reason in the message); a valid one gets the user's action.
 */

export const APP_PAY_ACTIONS = [
  "pay_and_sign",
  "pay_only",
  "cancel",
  "fail",
  "balance_insufficient",
] as const;
export type AppPayAction = (typeof APP_PAY_ACTIONS)[number];

const APP_PAY = "alipay.trade.app.pay";
const PAGE_SIGN = "alipay.user.agreement.page.sign";
const PRODUCT_CODES = ["QUICK_MSECURITY_PAY", "CYCLE_PAY_AUTH", "GENERAL_WITHHOLDING"];
const DEFAULT_TIMEOUT_MS = 15 * 24 * 3600 * 1000;

const refuse = (reason: string): never => {
  throw new SandboxError(400, reason);
};

/** Parses a query string (or a whole URL) into decoded params. */
export function parseParams(text: string): Params {
  const trimmed = text.trim();
  let query = trimmed;
  if (/^https?:\/\//i.test(trimmed)) {
    try {
      query = new URL(trimmed).search;
    } catch {
      refuse("not a URL");
    }
  }
  const params: Params = {};
  for (const [key, value] of new URLSearchParams(query)) {
    // PostgreSQL text and jsonb cannot hold NUL.
    if (key.includes("\u0000") || value.includes("\u0000")) refuse("NUL bytes are not allowed");
    params[key] = value;
  }
  return params;
}

/** Checks app id, sign type, signature and method of a signed request string. */
export function verifySigned(
  ctx: AlipayContext,
  params: Params,
  method: string,
): Record<string, unknown> {
  if (params.app_id !== ctx.keys.appId) refuse(`isv.invalid-app-id: ${params.app_id ?? "(none)"}`);
  if (params.method !== method)
    refuse(`method must be ${method}, got ${params.method ?? "(none)"}`);
  if (params.sign_type !== "RSA2") refuse("sign_type must be RSA2");
  if (!params.sign) refuse("sign missing");
  if (!parseAlipayTime(params.timestamp ?? "")) refuse("timestamp must be yyyy-MM-dd HH:mm:ss");
  const content = requestSignContent(params);
  if (!rsa2Verify(content, params.sign ?? "", ctx.keys.appPublicKeyPem)) {
    refuse(`isv.invalid-signature: 网关生成的验签字符串为：${content}`);
  }
  if (/\\u0000/i.test(params.biz_content ?? "")) refuse("NUL bytes are not allowed");
  try {
    const biz: unknown = JSON.parse(params.biz_content ?? "");
    if (typeof biz === "object" && biz !== null && !Array.isArray(biz)) {
      return biz as Record<string, unknown>;
    }
  } catch {
    // refused below
  }
  return refuse("biz_content must be a JSON object");
}

const str = (value: unknown) =>
  typeof value === "string" ? value : typeof value === "number" ? String(value) : undefined;

/** `timeout_express` (`30m`, `2h`, `15d`, `1c`) or `time_expire`; default 15 days. */
function expiryOf(biz: Record<string, unknown>, now: Date): Date {
  const expire = str(biz.time_expire);
  const at = expire ? parseAlipayTime(expire) : null;
  if (at) return at;
  const match = /^(\d{1,4})([mhdc])$/.exec(str(biz.timeout_express) ?? "");
  if (!match) return new Date(now.getTime() + DEFAULT_TIMEOUT_MS);
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, c: 86_400_000 }[match[2] as "m"];
  return new Date(now.getTime() + Number(match[1]) * unit);
}

export interface AppPayOrder {
  params: Params;
  outTradeNo: string;
  totalFen: number;
  subject: string;
  productCode: string;
  notifyUrl: string | null;
  passbackParams: string | null;
  biz: Record<string, unknown>;
  /** The sign terms, or why they are invalid (the payment still goes through). */
  terms: { ok: true; value: SignTerms } | { ok: false; reason: string } | null;
}

/** Parses and verifies an `alipay.trade.app.pay` order string (no side effects). */
export function readOrderString(ctx: AlipayContext, orderStr: string): AppPayOrder {
  const params = parseParams(orderStr);
  const biz = verifySigned(ctx, params, APP_PAY);
  const outTradeNo = str(biz.out_trade_no) ?? "";
  if (!/^[A-Za-z0-9_]{1,64}$/.test(outTradeNo)) refuse("out_trade_no invalid");
  const totalFen = parseYuan(str(biz.total_amount));
  if (totalFen === null || totalFen < 1 || totalFen > 100_000_000_00)
    refuse("total_amount invalid");
  const subject = str(biz.subject) ?? "";
  if (subject === "" || /[/=&]/.test(subject)) refuse("subject invalid");
  const productCode = str(biz.product_code) ?? "QUICK_MSECURITY_PAY";
  if (!PRODUCT_CODES.includes(productCode)) refuse(`product_code ${productCode} not supported`);
  const wantsSign = biz.agreement_sign_params !== undefined || productCode === "CYCLE_PAY_AUTH";
  return {
    params,
    outTradeNo,
    totalFen: totalFen as number,
    subject,
    productCode,
    notifyUrl: params.notify_url || null,
    passbackParams: str(biz.passback_params) || null,
    biz,
    terms: wantsSign ? parseSignTerms(biz.agreement_sign_params) : null,
  };
}

export interface AppPayResult {
  resultStatus: "9000" | "4000" | "5000" | "6001";
  memo: string;
  /** The signed `alipay_trade_app_pay_response` the app returns (payments only). */
  result: string;
  tradeNo: string | null;
  agreementNo: string | null;
  /** Why no agreement was made, when signing was asked for. */
  signError: string | null;
}

function appPayResult(ctx: AlipayContext, trade: TradeRow, now: Date): string {
  const inner = emitJson({
    code: "10000",
    msg: "Success",
    app_id: ctx.keys.appId,
    out_trade_no: trade.outTradeNo,
    trade_no: trade.tradeNo,
    total_amount: yuan(trade.totalFen),
    seller_id: ctx.sellerId,
    charset: "utf-8",
    timestamp: formatAlipayTime(now),
  });
  const sign = rsa2Sign(inner, ctx.keys.alipayPrivateKeyPem);
  return `{"${responseKey(APP_PAY)}":${inner},"sign":"${sign}","sign_type":"RSA2"}`;
}

async function upsertUnpaid(ctx: AlipayContext, order: AppPayOrder, now: Date): Promise<TradeRow> {
  const [existing] = await ctx.db
    .select()
    .from(trades)
    .where(eq(trades.outTradeNo, order.outTradeNo));
  if (existing) return existing;
  await ctx.db
    .insert(trades)
    .values({
      tradeNo: newTradeNo(now),
      outTradeNo: order.outTradeNo,
      method: APP_PAY,
      status: "WAIT_BUYER_PAY",
      totalFen: order.totalFen,
      subject: order.subject,
      productCode: order.productCode,
      fingerprint: JSON.stringify({ totalFen: String(order.totalFen), subject: order.subject }),
      notifyUrl: order.notifyUrl,
      passbackParams: order.passbackParams,
      buyerUserId: BUYER.userId,
      createdAt: now,
      expiresAt: expiryOf(order.biz, now),
    })
    .onConflictDoNothing();
  const [row] = await ctx.db.select().from(trades).where(eq(trades.outTradeNo, order.outTradeNo));
  return row as TradeRow;
}

/** The Alipay app consuming an order string with the user's action. */
export async function consumeOrderString(
  ctx: AlipayContext,
  orderStr: string,
  action: AppPayAction,
): Promise<AppPayResult> {
  const order = readOrderString(ctx, orderStr);
  const now = await ctx.clock.now();
  const base = { result: "", tradeNo: null, agreementNo: null, signError: null };
  const [existing] = await ctx.db
    .select()
    .from(trades)
    .where(eq(trades.outTradeNo, order.outTradeNo));
  if (existing && existing.status !== "WAIT_BUYER_PAY") {
    return { ...base, resultStatus: "5000", memo: "重复请求", tradeNo: existing.tradeNo };
  }
  if (action === "cancel") return { ...base, resultStatus: "6001", memo: "用户中途取消" };
  const unpaid = await upsertUnpaid(ctx, order, now);
  if (unpaid.status !== "WAIT_BUYER_PAY") {
    return { ...base, resultStatus: "5000", memo: "重复请求", tradeNo: unpaid.tradeNo };
  }
  if (action === "fail")
    return { ...base, resultStatus: "4000", memo: "订单支付失败", tradeNo: unpaid.tradeNo };
  if (action === "balance_insufficient" || !(await debitBalance(ctx.db, order.totalFen))) {
    return { ...base, resultStatus: "4000", memo: "余额不足", tradeNo: unpaid.tradeNo };
  }
  const [paid] = await ctx.db
    .update(trades)
    .set({ status: "TRADE_SUCCESS", paidAt: now })
    .where(and(eq(trades.tradeNo, unpaid.tradeNo), eq(trades.status, "WAIT_BUYER_PAY")))
    .returning();
  if (!paid) return { ...base, resultStatus: "5000", memo: "重复请求", tradeNo: unpaid.tradeNo };

  const { faults } = await readSettings(ctx.db);
  let agreementNo: string | null = null;
  let signError: string | null = null;
  const signNotes: PlannedNotification[] = [];
  if (action === "pay_and_sign" && order.terms) {
    if (!order.terms.ok) signError = order.terms.reason;
    else {
      const made = await createAgreement(
        ctx,
        order.terms.value,
        "app.pay",
        now,
        faults.maxAgreementsPerUser,
      );
      if (!made.ok) signError = made.reason;
      else {
        agreementNo = made.value.agreementNo;
        signNotes.push({
          notifyType: "dut_user_sign",
          // sign_notify_url → notify_url → app gateway (§5.1).
          targetUrl: order.terms.value.signNotifyUrl ?? order.notifyUrl,
          fields: signNotifyFields(made.value),
        });
      }
    }
  } else if (action === "pay_and_sign") signError = "no agreement_sign_params";
  const tradeNotes = tradeNotify(ctx, paid);
  await enqueueNotifications(
    ctx,
    faults.signBeforeTrade ? [...signNotes, ...tradeNotes] : [...tradeNotes, ...signNotes],
    now,
    faults,
  );
  return {
    resultStatus: "9000",
    memo: "",
    result: appPayResult(ctx, paid, now),
    tradeNo: paid.tradeNo,
    agreementNo,
    signError,
  };
}

export interface SignRequest {
  params: Params;
  terms: SignTerms;
  notifyUrl: string | null;
}

/** Parses and verifies an `alipay.user.agreement.page.sign` URL (no side effects). */
export function readSignUrl(ctx: AlipayContext, signUrl: string): SignRequest {
  const params = parseParams(signUrl);
  const biz = verifySigned(ctx, params, PAGE_SIGN);
  const terms = parseSignTerms(biz);
  if (!terms.ok) refuse(`agreement params invalid: ${terms.reason}`);
  return {
    params,
    terms: (terms as { ok: true; value: SignTerms }).value,
    notifyUrl: params.notify_url || null,
  };
}

/** The user signs (or cancels) on the page a page.sign URL opens: sign only, no trade. */
export async function consumeSignUrl(
  ctx: AlipayContext,
  signUrl: string,
  action: "sign" | "cancel",
): Promise<{ agreementNo: string | null; status: "NORMAL" | "CANCELLED" }> {
  const request = readSignUrl(ctx, signUrl);
  if (action === "cancel") return { agreementNo: null, status: "CANCELLED" };
  const now = await ctx.clock.now();
  const { faults } = await readSettings(ctx.db);
  const made = await createAgreement(
    ctx,
    request.terms,
    "page.sign",
    now,
    faults.maxAgreementsPerUser,
  );
  if (!made.ok) throw new SandboxError(409, made.reason);
  await enqueueNotifications(
    ctx,
    [
      {
        notifyType: "dut_user_sign",
        targetUrl: request.notifyUrl,
        fields: signNotifyFields(made.value),
      },
    ],
    now,
    faults,
  );
  return { agreementNo: made.value.agreementNo, status: "NORMAL" };
}
