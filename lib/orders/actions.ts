"use server";

import { redirect } from "next/navigation";
import { assertUser } from "@/lib/auth/guards";
import { isAppError } from "@/lib/errors";
import { moduleLogger } from "@/lib/logger";
import { createPurchaseOrder } from "./create-order";
import { getRuntime } from "@/lib/runtime";

const log = moduleLogger("order-actions");

export interface BuyState {
  /** Key under `product.buyError` in the messages. */
  error?: "provider_unavailable" | "provider_refused" | "already_owned" | "generic";
}

/** The product page's buy button: create (or reuse) the order, then go to its checkout. */
export async function buyAction(_: BuyState, form: FormData): Promise<BuyState> {
  const slug = form.get("productSlug");
  let orderNo: string;
  try {
    const user = await assertUser();
    const order = await createPurchaseOrder(await getRuntime(), {
      userId: user.id,
      productSlug: typeof slug === "string" ? slug : "",
    });
    orderNo = order.orderNo;
  } catch (error) {
    if (isAppError(error, "unauthorized"))
      redirect(`/signin?callbackUrl=/products/${String(slug)}`);
    if (isAppError(error, "provider_unavailable")) return { error: "provider_unavailable" };
    if (isAppError(error, "provider_refused")) return { error: "provider_refused" };
    if (isAppError(error, "conflict")) return { error: "already_owned" };
    log.error({ err: error }, "buy failed");
    return { error: "generic" };
  }
  redirect(`/checkout/${orderNo}`);
}
