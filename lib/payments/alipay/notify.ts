import "server-only";
import { AlipaySdk } from "alipay-sdk";
import { normalisePublicKey } from "./keys";
import type { AlipayNotification } from "./types";
import { fenOf, parseAlipayTime, str } from "./wire";

/**
 * Alipay's notifications (spec §3.3, §5): form POSTs, verified with `checkNotifySignV2` over the
 * fields exactly as received (never `checkNotifySign`, which URL-decodes each value again and
 * fails or throws on a `%`), then parsed by `notify_type`. Nothing here throws on hostile input:
 * a body that does not parse yields fewer fields, a signature that cannot be checked is false,
 * and a notification that cannot be read is `other`.
 */

/**
 * The fields of an `application/x-www-form-urlencoded` body, read from the raw text whatever the
 * Content-Type said (Alipay has sent `application/x-www-form-urlencoded; text/html;
 * charset=utf-8`, which body parsers do not recognise). `+` is a space; a malformed `%` sequence
 * stays as written (the WHATWG parser never throws). A repeated field keeps its first value.
 */
export function parseNotificationBody(raw: string): Record<string, string> {
  const entries: [string, string][] = [];
  const seen = new Set<string>();
  if (typeof raw !== "string") return {};
  for (const [key, value] of new URLSearchParams(raw.trim())) {
    if (key === "" || seen.has(key)) continue;
    seen.add(key);
    entries.push([key, value]);
  }
  // fromEntries defines own properties: a `__proto__` field is a field, not a prototype.
  return Object.fromEntries(entries);
}

/**
 * A placeholder for the SDK's constructor, which insists on a private key it never uses to
 * verify (it only reformats the text).
 */
const VERIFY_ONLY_PRIVATE_KEY = "unused-for-verification";

/**
 * Whether `fields` carry Alipay's signature (RSA2 with Alipay's private key over the sorted
 * fields without `sign` and `sign_type`; the SDK also accepts `sign_type` included, spec §3.3).
 * False for a missing or malformed signature, a key that does not parse, or non-string fields.
 */
export function verifyAlipayNotification(
  fields: Record<string, string>,
  alipayPublicKey: string,
): boolean {
  try {
    if (typeof fields !== "object" || fields === null) return false;
    const values = Object.entries(fields);
    if (values.some(([, v]) => typeof v !== "string")) return false;
    if (typeof fields.sign !== "string" || fields.sign === "") return false;
    const publicKey = normalisePublicKey(alipayPublicKey);
    if (!publicKey) return false;
    const sdk = new AlipaySdk({
      appId: "notification-verifier",
      privateKey: VERIFY_ONLY_PRIVATE_KEY,
      alipayPublicKey: publicKey,
    });
    return sdk.checkNotifySignV2(Object.fromEntries(values)) === true;
  } catch {
    return false;
  }
}

function other(fields: Record<string, string>): AlipayNotification {
  return { kind: "other", notifyId: str(fields.notify_id), notifyType: str(fields.notify_type) };
}

/** A verified notification's fields → the domain shape (`other` when required fields lack). */
export function parseAlipayNotification(fields: Record<string, string>): AlipayNotification {
  if (typeof fields !== "object" || fields === null) {
    return { kind: "other", notifyId: null, notifyType: null };
  }
  const notifyId = str(fields.notify_id);
  const notifyType = str(fields.notify_type);
  if (!notifyId) return other(fields);

  if (notifyType === "trade_status_sync") {
    const outTradeNo = str(fields.out_trade_no);
    const tradeNo = str(fields.trade_no);
    const status = str(fields.trade_status);
    if (!outTradeNo || !tradeNo || !status) return other(fields);
    return {
      kind: "trade",
      notifyId,
      appId: str(fields.app_id),
      sellerId: str(fields.seller_id),
      outTradeNo,
      tradeNo,
      status,
      totalAmountFen: fenOf(fields.total_amount),
      refundFeeFen: fenOf(fields.refund_fee),
      outBizNo: str(fields.out_biz_no),
      buyerUserId: str(fields.buyer_id) ?? str(fields.buyer_open_id),
      paidAt: parseAlipayTime(fields.gmt_payment),
    };
  }

  if (notifyType === "dut_user_sign" || notifyType === "dut_user_unsign") {
    const agreementNo = str(fields.agreement_no);
    if (!agreementNo) return other(fields);
    const signed = notifyType === "dut_user_sign";
    return {
      kind: signed ? "agreement_signed" : "agreement_unsigned",
      notifyId,
      appId: str(fields.app_id),
      agreementNo,
      externalAgreementNo: str(fields.external_agreement_no),
      status: str(fields.status) ?? "",
      alipayUserId: str(fields.alipay_user_id) ?? str(fields.alipay_open_id),
      at: parseAlipayTime(signed ? fields.sign_time : fields.unsign_time),
    };
  }

  return other(fields);
}
