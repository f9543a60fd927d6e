import { z } from "zod";
import { assertUser } from "@/lib/auth/guards";
import { getEnv } from "@/lib/env";
import { json, readJson, route } from "@/lib/http/json";
import { createPurchaseOrder } from "@/lib/orders/create-order";
import { getRuntime } from "@/lib/runtime";
import { qrImageOf } from "@/lib/orders/view";

const body = z.object({
  productSlug: z
    .string({ error: "productSlug.required" })
    .regex(/^[a-z0-9-]{1,80}$/, "productSlug.invalid"),
});

/** Starts a one-off purchase for the signed-in buyer: a pending order with its Youzan QR. */
export const POST = route(async (request) => {
  const user = await assertUser();
  const { productSlug } = await readJson(request, body);
  const order = await createPurchaseOrder(await getRuntime(), { userId: user.id, productSlug });
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
