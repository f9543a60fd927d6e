import "server-only";
import { isSandboxError } from "@/lib/sandbox/youzan/errors";
import type { AgreementRow, SignTerms } from "./agreements";
import { APP_PAY_ACTIONS, type AppPayAction } from "./consumers";
import type { AlipaySandbox } from "./sandbox";

/*
 * The human pages (sign page, "pay and sign" page, wallet) as plain data: what each page shows
 * for its query, and what its forms do. The React pages in app/sandbox/alipay/** only render.
 */

export const SIGN_PAGE = "/sandbox/alipay/sign";
export const APP_PAGE = "/sandbox/alipay/app";
export const WALLET_PAGE = "/sandbox/alipay/wallet";

type Query = Record<string, string | string[] | undefined>;

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

const reasonOf = (error: unknown) => {
  if (isSandboxError(error)) return error.message;
  throw error;
};

/** The terms shown to the user, in display form. */
export interface TermsView {
  periodType: "DAY" | "MONTH";
  period: number;
  singleAmountFen: number;
  firstDeductDate: string;
  externalAgreementNo: string | null;
  totalPayments: number | null;
}

const termsView = (terms: SignTerms): TermsView => ({
  periodType: terms.periodType,
  period: terms.period,
  singleAmountFen: terms.singleAmountFen,
  firstDeductDate: terms.executeTime,
  externalAgreementNo: terms.externalAgreementNo,
  totalPayments: terms.totalPayments,
});

export type SignPageView =
  | { kind: "form"; signUrl: string; terms: TermsView }
  | { kind: "invalid"; reason: string }
  | { kind: "signed"; agreementNo: string }
  | { kind: "cancelled" };

const RESULT_KEYS = ["done", "cancelled", "failed"];

/** The sign page's query is the page.sign request itself (plus our result markers). */
export function loadSignPage(sandbox: AlipaySandbox, query: Query): SignPageView {
  const done = first(query.done);
  if (done) return { kind: "signed", agreementNo: done };
  if (first(query.cancelled)) return { kind: "cancelled" };
  const failed = first(query.failed);
  if (failed) return { kind: "invalid", reason: failed };
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    const text = first(value);
    if (text !== undefined && !RESULT_KEYS.includes(key)) params.set(key, text);
  }
  const signUrl = params.toString();
  if (!params.get("method")) return { kind: "invalid", reason: "method missing" };
  try {
    return { kind: "form", signUrl, terms: termsView(sandbox.readSignUrl(signUrl).terms) };
  } catch (error) {
    return { kind: "invalid", reason: reasonOf(error) };
  }
}

/** The sign page's buttons: 签约 (`action=sign`) or 取消; returns where to go next. */
export async function submitSignForm(sandbox: AlipaySandbox, form: FormData): Promise<string> {
  const signUrl = String(form.get("sign_url") ?? "");
  const action = form.get("action") === "cancel" ? "cancel" : "sign";
  try {
    const result = await sandbox.sign(signUrl, action);
    return result.agreementNo
      ? `${SIGN_PAGE}?done=${result.agreementNo}`
      : `${SIGN_PAGE}?cancelled=1`;
  } catch (error) {
    return `${SIGN_PAGE}?failed=${encodeURIComponent(reasonOf(error))}`;
  }
}

export type AppPageView =
  | { kind: "paste" }
  | {
      kind: "form";
      orderStr: string;
      outTradeNo: string;
      subject: string;
      totalFen: number;
      terms: TermsView | null;
      termsError: string | null;
    }
  | { kind: "invalid"; reason: string }
  | {
      kind: "result";
      resultStatus: string;
      tradeNo: string | null;
      agreementNo: string | null;
      signError: string | null;
    };

export function loadAppPage(sandbox: AlipaySandbox, query: Query): AppPageView {
  const resultStatus = first(query.resultStatus);
  if (resultStatus) {
    return {
      kind: "result",
      resultStatus,
      tradeNo: first(query.tradeNo) ?? null,
      agreementNo: first(query.agreementNo) ?? null,
      signError: first(query.signError) ?? null,
    };
  }
  const failed = first(query.failed);
  if (failed) return { kind: "invalid", reason: failed };
  const orderStr = first(query.orderStr)?.trim();
  if (!orderStr) return { kind: "paste" };
  try {
    const order = sandbox.readOrderString(orderStr);
    return {
      kind: "form",
      orderStr,
      outTradeNo: order.outTradeNo,
      subject: order.subject,
      totalFen: order.totalFen,
      terms: order.terms?.ok ? termsView(order.terms.value) : null,
      termsError: order.terms && !order.terms.ok ? order.terms.reason : null,
    };
  } catch (error) {
    return { kind: "invalid", reason: reasonOf(error) };
  }
}

/** 支付 (with or without the agreement ticked), 取消, or a simulated failure. */
export async function submitAppForm(sandbox: AlipaySandbox, form: FormData): Promise<string> {
  const orderStr = String(form.get("order_str") ?? "");
  const button = String(form.get("action") ?? "");
  const action: AppPayAction =
    button === "pay"
      ? form.get("agree") === "on"
        ? "pay_and_sign"
        : "pay_only"
      : (APP_PAY_ACTIONS as readonly string[]).includes(button)
        ? (button as AppPayAction)
        : "cancel";
  try {
    const result = await sandbox.appPay(orderStr, action);
    const query = new URLSearchParams({ resultStatus: result.resultStatus });
    if (result.tradeNo) query.set("tradeNo", result.tradeNo);
    if (result.agreementNo) query.set("agreementNo", result.agreementNo);
    if (result.signError) query.set("signError", result.signError);
    return `${APP_PAGE}?${query.toString()}`;
  } catch (error) {
    return `${APP_PAGE}?failed=${encodeURIComponent(reasonOf(error))}`;
  }
}

export interface WalletView {
  balanceFen: number;
  agreements: Pick<
    AgreementRow,
    | "agreementNo"
    | "externalAgreementNo"
    | "status"
    | "periodType"
    | "period"
    | "singleAmountFen"
    | "nextDeductDate"
  >[];
  error: string | null;
}

export async function loadWallet(sandbox: AlipaySandbox, query: Query): Promise<WalletView> {
  const { balanceFen, agreements } = await sandbox.wallet();
  return { balanceFen, agreements, error: first(query.failed) ?? null };
}

/** Wallet buttons: pause, resume, unsign one agreement, or set the balance (yuan). */
export async function submitWalletForm(sandbox: AlipaySandbox, form: FormData): Promise<string> {
  const action = String(form.get("action") ?? "");
  const agreementNo = String(form.get("agreement_no") ?? "");
  try {
    if (action === "pause" || action === "resume") {
      await sandbox.setPaused(agreementNo, action === "pause");
    } else if (action === "unsign") {
      await sandbox.walletUnsign(agreementNo);
    } else if (action === "balance") {
      const yuanText = String(form.get("balance") ?? "");
      if (!/^\d{1,9}(\.\d{1,2})?$/.test(yuanText)) return `${WALLET_PAGE}?failed=balance`;
      const [whole, cents = ""] = yuanText.split(".") as [string, string?];
      await sandbox.setBalance(Number(whole) * 100 + Number(cents.padEnd(2, "0")));
    }
    return WALLET_PAGE;
  } catch (error) {
    return `${WALLET_PAGE}?failed=${encodeURIComponent(reasonOf(error))}`;
  }
}
