import { productSlugBody } from "@/lib/validation-slug";
import { assertUser } from "@/lib/auth/guards";
import { getEnv } from "@/lib/env";
import { json, methodsNotAllowed, readJson, route } from "@/lib/http/json";
import { createPurchaseOrder } from "@/lib/orders/create-order";
import { limitOrderCreation } from "@/lib/rate-limit";
import { withOneClockRead } from "@/lib/clock";
import { getRuntime } from "@/lib/runtime";
import { qrImageOf } from "@/lib/orders/view";

/**
 * Starts a one-off purchase for the signed-in buyer: a pending order with its Youzan QR. 429 with
 * Retry-After past the per-account or per-client order limit, or with too many open orders.
 */
export const POST = route(async (request) => {
  const user = await assertUser();
  const { productSlug } = await readJson(request, productSlugBody);
  // One sandbox-clock read for the whole checkout (rate limit, open-order cap, expiry).
  const runtime = withOneClockRead(await getRuntime());
  await limitOrderCreation(runtime, { userId: user.id, headers: request.headers });
  const order = await createPurchaseOrder(runtime, { userId: user.id, productSlug });
  return json(
    {
      orderNo: order.orderNo,
      status: order.status,
      amountFen: order.amountFen,
      checkoutUrl: `${getEnv().appUrl}/checkout/${order.orderNo}`,
      expiresAt: order.expiresAt?.toISOString() ?? null,
      qr: { qrId: order.qrId, qrUrl: order.qrUrl, image: await qrImageOf(order) },
    },
    { status: 201 },
  );
});

/** Any other method: 405 with the JSON error. */
export const { GET, PUT, PATCH, DELETE } = methodsNotAllowed(["POST"]);
