import type { Agreement, Order } from "@/db/schema";

/*
 * Which state a checkout shows. Each has its own page title, heading and amount label
 * (messages `checkout.states.<state>`), so a paid checkout never reads like an unpaid one.
 */

export const CHECKOUT_STATES = [
  // one-off purchases (Youzan QR), and any order that ended without a membership view
  "waiting",
  "paid",
  "expired",
  "closed",
  "review",
  "refunded",
  // memberships (Alipay agreement): waiting for the signature, then period 1
  "signWaiting",
  "charging",
  "chargeDeclined",
  "appWaiting",
  "subscribed",
] as const;

export type CheckoutState = (typeof CHECKOUT_STATES)[number];

/** What the membership checkout knows about the agreement behind an order (lib/subscriptions/view). */
export interface MembershipFacts {
  agreementStatus: Agreement["status"];
  /** A page.sign URL is offered: the agreement waits for a signature in the browser flow. */
  signable: boolean;
  /** The last attempt to charge period 1 failed. */
  declined: boolean;
}

export function checkoutState(
  order: Pick<Order, "status">,
  membership: MembershipFacts | null = null,
): CheckoutState {
  if (membership && order.status === "paid") return "subscribed";
  if (membership && order.status === "pending") {
    if (membership.signable) return "signWaiting";
    if (membership.declined) return "chargeDeclined";
    // Signed: period 1 is being charged. Otherwise the app flow waits for its payment.
    return membership.agreementStatus === "active" ? "charging" : "appWaiting";
  }
  return order.status === "pending" ? "waiting" : order.status;
}

/** States in which the buyer can still pay (the QR, the countdown and the status poll show). */
export function isOpenState(state: CheckoutState): boolean {
  return (
    state === "waiting" ||
    state === "signWaiting" ||
    state === "charging" ||
    state === "chargeDeclined" ||
    state === "appWaiting"
  );
}
