"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { assertUser } from "@/lib/auth/guards";
import { isAppError } from "@/lib/errors";
import { PRODUCT_SLUG } from "@/lib/validation-slug";
import { moduleLogger } from "@/lib/logger";
import { createPurchaseOrder } from "./create-order";
import { withOneClockRead } from "@/lib/clock";
import { getRuntime } from "@/lib/runtime";
import { limitOrderCreation } from "@/lib/rate-limit";

const log = moduleLogger("order-actions");

export interface BuyState {
  /** Key under `product.buyError` in the messages. */
  error?:
    "provider_unavailable" | "provider_refused" | "already_owned" | "rate_limited" | "generic";
}

/** The product page's buy button: create (or reuse) the order, then go to its checkout. */
export async function buyAction(_: BuyState, form: FormData): Promise<BuyState> {
  const slug = form.get("productSlug");
  // A forged form may carry anything; only a well-formed slug goes into a query or a redirect.
  if (typeof slug !== "string" || !PRODUCT_SLUG.test(slug)) return { error: "generic" };
  let orderNo: string;
  try {
    const user = await assertUser();
    const runtime = withOneClockRead(await getRuntime());
    await limitOrderCreation(runtime, { userId: user.id, headers: await headers() });
    const order = await createPurchaseOrder(runtime, {
      userId: user.id,
      productSlug: slug,
    });
    orderNo = order.orderNo;
  } catch (error) {
    if (isAppError(error, "unauthorized"))
      redirect(`/signin?callbackUrl=${encodeURIComponent(`/products/${slug}`)}`);
    if (isAppError(error, "provider_unavailable")) return { error: "provider_unavailable" };
    if (isAppError(error, "provider_refused")) return { error: "provider_refused" };
    if (isAppError(error, "conflict")) return { error: "already_owned" };
    if (isAppError(error, "rate_limited")) return { error: "rate_limited" };
    log.error({ err: error }, "buy failed");
    return { error: "generic" };
  }
  redirect(`/checkout/${orderNo}`);
}
