import { findOrderByNo, findPollFacts } from "@/db/queries/orders";
import { assertSessionOfRequest } from "@/lib/auth/session-token";
import { assertViewer } from "@/lib/auth/session-version";
import { registerFastRoute } from "@/lib/http/fast-routes";
import { sizedJson } from "@/lib/http/json";
import { unproxiedMethodsNotAllowed, unproxiedRoute } from "@/lib/http/unproxied-route";
import { checkYouzanOrder } from "@/lib/orders/check-status";
import { getRuntime, kickNotices } from "@/lib/runtime";
import { checkAlipayOrder } from "@/lib/subscriptions/check-status";
import { isOrderNo, publicStatus, visibleTo } from "@/lib/orders/view";

interface Context {
  params: Promise<{ orderNo: string }>;
}

const NO_STORE = { "cache-control": "no-store" };

/**
 * Answers from the database; while the order is pending it asks the provider too (Youzan for QR
 * orders; Alipay for memberships whose notification is late), at most once per few seconds per
 * order however many tabs poll (the conditional claim of both checks). Every answer carries the
 * shop's now (in sandbox mode from the clock offset read with the order), for the checkout's countdown.
 * Polled by every open checkout: not behind the proxy (lib/http/unproxied-route.ts), and once
 * loaded answered by the production server itself, without Next's router (lib/http/fast-routes.ts).
 */
export const GET = unproxiedRoute<Context>(async (request, { params }) => {
  const session = await assertSessionOfRequest(request);
  const { orderNo } = await params;
  const deps = await getRuntime();
  // One round trip: the session's user, the order, the sandbox clock.
  const facts = await findPollFacts(deps.db, { userId: session.user.id, orderNo });
  const user = assertViewer(session, facts.viewer);
  const { order } = visibleTo(isOrderNo(orderNo) ? facts.found : null, user);
  // The sandbox clock's offset was read with the order: this request reads it no more.
  const { atOffset } = deps.clock;
  const now = atOffset ? async () => atOffset(facts.clockOffsetMs) : deps.now;
  if (order.status !== "pending") {
    return sizedJson(publicStatus(order, await now()), { headers: NO_STORE });
  }
  const checkDeps = { ...deps, now };
  const check =
    order.provider === "alipay"
      ? await checkAlipayOrder(checkDeps, order)
      : await checkYouzanOrder(checkDeps, order);
  // Another poll asked the provider moments ago (most polls): the row just read is the answer.
  if (!check.checked) return sizedJson(publicStatus(order, await now()), { headers: NO_STORE });
  const fresh = (await findOrderByNo(deps.db, orderNo)) ?? order;
  // This poll settled it: the receipt is in the outbox, send it now.
  if (fresh.status !== "pending") kickNotices();
  return sizedJson(publicStatus(fresh, await now()), { headers: NO_STORE });
});

registerFastRoute("orderStatus", GET);

/** Any other method: 405 with the JSON error. */
export const { POST, PUT, PATCH, DELETE } = unproxiedMethodsNotAllowed(["GET"]);
