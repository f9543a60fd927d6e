import { findOrderByNo } from "@/db/queries/orders";
import { assertUserOfRequest } from "@/lib/auth/guards";
import { json, methodsNotAllowed, route } from "@/lib/http/json";
import { checkYouzanOrder } from "@/lib/orders/check-status";
import { getRuntime, kickNotices } from "@/lib/runtime";
import { checkAlipayOrder } from "@/lib/subscriptions/check-status";
import { orderForViewer, publicStatus } from "@/lib/orders/view";

interface Context {
  params: Promise<{ orderNo: string }>;
}

const NO_STORE = { "cache-control": "no-store" };

/**
 * Answers from the database; while the order is pending it asks the provider too (Youzan for QR
 * orders; Alipay for memberships whose notification is late), at most once per few seconds per
 * order however many tabs poll (the conditional claim of both checks). Every answer carries the
 * shop's now, read last, for the checkout's countdown.
 */
export const GET = route<Context>(async (request, { params }) => {
  const user = await assertUserOfRequest(request);
  const { orderNo } = await params;
  const deps = await getRuntime();
  const { order } = await orderForViewer(deps.db, orderNo, user);
  if (order.status !== "pending") {
    return json(publicStatus(order, await deps.now()), { headers: NO_STORE });
  }
  const check =
    order.provider === "alipay"
      ? await checkAlipayOrder(deps, order)
      : await checkYouzanOrder(deps, order);
  // Another poll asked the provider moments ago (most polls): the row just read is the answer.
  if (!check.checked) return json(publicStatus(order, await deps.now()), { headers: NO_STORE });
  const fresh = (await findOrderByNo(deps.db, orderNo)) ?? order;
  // This poll settled it: the receipt is in the outbox, send it now.
  if (fresh.status !== "pending") kickNotices();
  return json(publicStatus(fresh, await deps.now()), { headers: NO_STORE });
});

/** Any other method: 405 with the JSON error. */
export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
