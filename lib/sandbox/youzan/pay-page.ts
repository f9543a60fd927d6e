import "server-only";
import { MoneyError, yuanToFen } from "@/lib/money";
import { isSandboxError } from "./errors";
import { TID_PATTERN } from "./time";
import type { SandboxQr, YouzanSandbox } from "./types";

/*
 * The "scan & pay" page (app/sandbox/youzan/pay) as plain functions: what to show for the query
 * string, and what the Pay / Cancel form posts do. The page and its server actions only render
 * and redirect.
 */

export const PAY_PAGE_PATH = "/sandbox/youzan/pay";
export const PAY_METHODS = ["WXPAY", "ALIPAY"] as const;
export type PayMethod = (typeof PAY_METHODS)[number];

export type PayPageError = "invalid_amount" | "closed" | "failed";

export type PayPageView =
  | { kind: "missing" }
  | { kind: "unknown"; qrId: string }
  | { kind: "paid"; qr: SandboxQr; tid: string; amountFen: number | null }
  | { kind: "cancelled"; qr: SandboxQr }
  | { kind: "alreadyPaid"; qr: SandboxQr }
  | { kind: "pay"; qr: SandboxQr; error: PayPageError | null };

type SearchParams = Record<string, string | string[] | undefined>;

const first = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;

const ERRORS: readonly PayPageError[] = ["invalid_amount", "closed", "failed"];

export async function loadPayPage(
  sandbox: Pick<YouzanSandbox, "getQr">,
  params: SearchParams,
): Promise<PayPageView> {
  const qrId = first(params.qr_id)?.trim() ?? "";
  if (qrId === "") return { kind: "missing" };
  const qr = await sandbox.getQr(qrId);
  if (!qr) return { kind: "unknown", qrId: qrId.slice(0, 40) };

  const result = first(params.result);
  const tid = first(params.tid) ?? "";
  if (result === "paid" && TID_PATTERN.test(tid)) {
    const amount = Number(first(params.amount));
    const amountFen = qr.priceFen ?? (Number.isSafeInteger(amount) && amount > 0 ? amount : null);
    return { kind: "paid", qr, tid, amountFen };
  }
  if (result === "cancelled") return { kind: "cancelled", qr };
  if (qr.qrType === "QR_TYPE_DYNAMIC" && qr.paid) return { kind: "alreadyPaid", qr };
  const error = first(params.error);
  return {
    kind: "pay",
    qr,
    error: ERRORS.includes(error as PayPageError) ? (error as PayPageError) : null,
  };
}

const text = (value: FormDataEntryValue | null) => (typeof value === "string" ? value.trim() : "");

function pagePath(qrId: string, extra: Record<string, string> = {}): string {
  const query = new URLSearchParams({ qr_id: qrId, ...extra });
  return `${PAY_PAGE_PATH}?${query.toString()}`;
}

/** Pay button: pays and returns where to redirect (the confirmation, or the form with an error). */
export async function submitPayForm(
  sandbox: Pick<YouzanSandbox, "pay">,
  form: FormData,
): Promise<string> {
  const qrId = text(form.get("qr_id")).slice(0, 40);
  const method = text(form.get("pay_type"));
  const payType: PayMethod = (PAY_METHODS as readonly string[]).includes(method)
    ? (method as PayMethod)
    : "WXPAY";
  const amountText = text(form.get("amount"));
  let amountFen: number | undefined;
  if (amountText !== "") {
    try {
      amountFen = yuanToFen(amountText);
    } catch (error) {
      if (error instanceof MoneyError) return pagePath(qrId, { error: "invalid_amount" });
      throw error;
    }
    if (amountFen < 1) return pagePath(qrId, { error: "invalid_amount" });
  }
  try {
    const { tid } = await sandbox.pay({ qrId, payType, amountFen });
    return pagePath(qrId, {
      result: "paid",
      tid,
      ...(amountFen ? { amount: String(amountFen) } : {}),
    });
  } catch (error) {
    if (!isSandboxError(error)) throw error;
    // 404 → "unknown QR"; 409 on a paid dynamic code → "already paid": the page sees both.
    if (error.status === 404) return pagePath(qrId);
    if (error.status === 400) return pagePath(qrId, { error: "invalid_amount" });
    if (error.status === 409) return pagePath(qrId, { error: "closed" });
    return pagePath(qrId, { error: "failed" });
  }
}

/** Cancel button: the payer opened the code and walked away — an unpaid scan that will expire. */
export async function submitCancelForm(
  sandbox: Pick<YouzanSandbox, "scan">,
  form: FormData,
): Promise<string> {
  const qrId = text(form.get("qr_id")).slice(0, 40);
  try {
    await sandbox.scan(qrId);
  } catch (error) {
    if (!isSandboxError(error)) throw error;
    return pagePath(qrId);
  }
  return pagePath(qrId, { result: "cancelled" });
}
