"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { revalidatePath } from "next/cache";
import { getDb } from "@/db";
import { findOrderByNo } from "@/db/queries/orders";
import { assertUser } from "@/lib/auth/guards";
import { isAppError } from "@/lib/errors";
import { PRODUCT_SLUG } from "@/lib/validation-slug";
import { moduleLogger } from "@/lib/logger";
import { limitSubscriptionCreation } from "@/lib/rate-limit";
import { getRuntime, kickNotices } from "@/lib/runtime";
import { cancelAutoRenewal } from "./cancel";
import { retryPeriodOne } from "./check-status";
import { startSubscription } from "./start";

const log = moduleLogger("subscription-actions");

const ORDER_NO = /^[A-Z0-9]{6,64}$/;

export interface SubscribeState {
  /** Key under `membership.error` in the messages. */
  error?: "already_member" | "rate_limited" | "plan_unavailable" | "generic";
}

/** The plan page's subscribe button: open (or reuse) the agreement, then go to its checkout. */
export async function subscribeAction(_: SubscribeState, form: FormData): Promise<SubscribeState> {
  const slug = form.get("productSlug");
  if (typeof slug !== "string" || !PRODUCT_SLUG.test(slug)) return { error: "generic" };
  let checkoutUrl: string;
  try {
    const user = await assertUser();
    const runtime = await getRuntime();
    await limitSubscriptionCreation(runtime, { userId: user.id, headers: await headers() });
    ({ checkoutUrl } = await startSubscription(runtime, { userId: user.id, productSlug: slug }));
  } catch (error) {
    if (isAppError(error, "unauthorized")) {
      redirect(`/signin?callbackUrl=${encodeURIComponent(`/products/${slug}`)}`);
    }
    if (isAppError(error, "conflict")) return { error: "already_member" };
    if (isAppError(error, "rate_limited")) return { error: "rate_limited" };
    if (isAppError(error, "not_found") || isAppError(error, "bad_request")) {
      return { error: "plan_unavailable" };
    }
    log.error({ err: error }, "subscribe failed");
    return { error: "generic" };
  }
  redirect(checkoutUrl);
}

export interface CancelState {
  /** Key under `membership.cancelError`. */
  error?: "nothing_to_cancel" | "provider" | "generic";
}

/** "Cancel auto-renewal" on the membership page (after the confirmation). */
export async function cancelRenewalAction(_: CancelState, form: FormData): Promise<CancelState> {
  if (form.get("confirm") !== "yes") return { error: "generic" };
  try {
    const user = await assertUser();
    await cancelAutoRenewal(await getRuntime(), { userId: user.id });
    kickNotices();
  } catch (error) {
    if (isAppError(error, "unauthorized")) redirect("/signin?callbackUrl=%2Faccount%2Fmembership");
    if (isAppError(error, "not_found")) return { error: "nothing_to_cancel" };
    if (isAppError(error, "provider_unavailable") || isAppError(error, "conflict")) {
      return { error: "provider" };
    }
    log.error({ err: error }, "cancel renewal failed");
    return { error: "generic" };
  }
  // The page is drawn again without the renewal; the query tells it to say it was cancelled.
  redirect("/account/membership?cancelled=1");
}

/** "Try again" on a checkout whose first charge was declined (after topping up, say). */
export async function retryChargeAction(form: FormData): Promise<void> {
  const orderNo = form.get("orderNo");
  if (typeof orderNo !== "string" || !ORDER_NO.test(orderNo)) return;
  const user = await assertUser().catch(() => null);
  if (!user) redirect("/signin");
  const order = await findOrderByNo(await getDb(), orderNo);
  if (!order || order.userId !== user.id) return;
  await retryPeriodOne(await getRuntime(), order);
  revalidatePath(`/checkout/${orderNo}`);
}
