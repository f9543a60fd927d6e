import { expect } from "vitest";
import type { Db } from "@/db/client";
import { orders, type OrderFacts } from "@/db/schema";
import { newId } from "@/lib/ids";
import { settlePayment } from "@/lib/orders/settle";
import { makeProduct, makeUser } from "./factories";

/** An order number of the shop's shape, unique per call. */
const orderNo = () => `XP20261201${newId("ord").slice(4, 14).toUpperCase()}`;

/** A Youzan QR purchase of ¥9.90, settled with a trade of `paidFen` as the shop settles it. */
async function settledYouzanOrder(
  db: Db,
  product: Awaited<ReturnType<typeof makeProduct>>,
  paidFen: number,
) {
  const buyer = await makeUser(db);
  const [order] = await db
    .insert(orders)
    .values({
      id: newId("ord"),
      orderNo: orderNo(),
      userId: buyer.id,
      productId: product.id,
      kind: "purchase",
      provider: "youzan",
      amountFen: 990,
    })
    .returning();
  return settlePayment(db, order!.id, {
    provider: "youzan",
    tradeNo: `E${Date.now()}${Math.floor(Math.random() * 1000)}`,
    amountFen: paidFen,
    paidAt: new Date(),
  });
}

/** A paid Youzan purchase of content, settled as the shop settles (a grant, audit rows). */
export async function paidYouzanOrder(db: Db): Promise<OrderFacts> {
  const settled = await settledYouzanOrder(db, await makeProduct(db), 990);
  expect(settled.outcome).toBe("settled");
  return settled.order;
}

/** A Youzan order paid with the wrong amount: in review, its trade recorded as a mismatch. */
export async function reviewOrder(
  db: Db,
  kind: "one_off" | "membership" = "one_off",
): Promise<OrderFacts> {
  const product =
    kind === "membership"
      ? await makeProduct(db, { kind: "membership", priceFen: 990, periodDays: 30 })
      : await makeProduct(db);
  const settled = await settledYouzanOrder(db, product, 900);
  expect(settled.outcome).toBe("amount_mismatch");
  expect(settled.order.status).toBe("review");
  return settled.order;
}
