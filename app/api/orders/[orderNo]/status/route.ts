import { getDb } from "@/db";
import { findOrderByNo } from "@/db/queries/orders";
import { assertUser } from "@/lib/auth/guards";
import { json, route } from "@/lib/http/json";
import { checkYouzanOrder } from "@/lib/orders/check-status";
import { getRuntime } from "@/lib/runtime";
import { checkAlipayOrder } from "@/lib/subscriptions/check-status";
import { orderForViewer, publicStatus } from "@/lib/orders/view";

interface Context {
  params: Promise<{ orderNo: string }>;
}

/**
 * Answers from the database; while the order is pending it asks the provider too (Youzan for QR
 * orders; Alipay for memberships whose notification is late), at most once per few seconds per
 * order however many tabs poll (the conditional claim of both checks).
 */
export const GET = route<Context>(async (_request, { params }) => {
  const user = await assertUser();
  const { orderNo } = await params;
  const { order } = await orderForViewer(await getDb(), orderNo, user);
  if (order.status !== "pending") return json(publicStatus(order));
  const deps = await getRuntime();
  if (order.provider === "alipay") await checkAlipayOrder(deps, order);
  else await checkYouzanOrder(deps, order);
  const fresh = (await findOrderByNo(deps.db, orderNo)) ?? order;
  return json(publicStatus(fresh), { headers: { "cache-control": "no-store" } });
});
