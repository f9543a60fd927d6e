import QRCode from "qrcode";
import { findAgreementById, listChargeAttempts } from "@/db/queries/agreements";
import { membershipOf } from "@/db/queries/entitlements";
import type { Agreement, Order } from "@/db/schema";
import type { SubscriptionDeps } from "./deps";
import { signUrlOf } from "./start";

export interface MembershipCheckout {
  agreement: Agreement;
  /** While it waits for the signature: the URL to open, and its QR code. */
  sign: { url: string; qr: string } | null;
  /** The last attempt to charge period 1 that failed, for the buyer to see why. */
  declined: { code: string | null; message: string | null } | null;
  /** After payment: when the membership ends. */
  membershipEndsAt: Date | null;
}

/** What the checkout of a membership order shows, read once per render. */
export async function membershipCheckout(
  deps: Pick<SubscriptionDeps, "db" | "alipay">,
  order: Order,
): Promise<MembershipCheckout | null> {
  if (!order.agreementId) return null;
  const agreement = await findAgreementById(deps.db, order.agreementId);
  if (!agreement) return null;
  let sign: MembershipCheckout["sign"] = null;
  if (agreement.status === "pending_sign" && agreement.signFlow === "page_sign") {
    const url = signUrlOf(deps, agreement, order);
    sign = { url, qr: await QRCode.toDataURL(url, { margin: 1, width: 280 }) };
  }
  const attempts = await listChargeAttempts(deps.db, agreement.id, order.periodIndex ?? 1);
  const last = attempts.at(-1);
  const declined =
    order.status === "pending" && last?.status === "failed"
      ? { code: last.errorCode, message: last.errorMessage }
      : null;
  const membershipEndsAt =
    order.status === "paid" ? (await membershipOf(deps.db, order.userId)).endsAt : null;
  return { agreement, sign, declined, membershipEndsAt };
}
