import {
  attachQr,
  closeOrder,
  findOrderById,
  insertPurchaseOrder,
  purchaseFacts,
} from "@/db/queries/orders";
import type { Order, Product } from "@/db/schema";
import { shanghaiDate } from "@/lib/clock";
import { AppError } from "@/lib/errors";
import { newId, newOrderNo } from "@/lib/ids";
import { moduleLogger } from "@/lib/logger";
import { isYouzanError, type YouzanError } from "@/lib/payments/youzan";
import { assertOpenPurchaseCap } from "@/lib/rate-limit";
import { checkYouzanOrder } from "./check-status";
import type { OrderDeps } from "./deps";

const log = moduleLogger("orders");

/** How long a second request waits for a concurrent one to finish creating the QR code. */
export const QR_WAIT_MS = 6_000;
export const QR_WAIT_STEP_MS = 200;

const alreadyOwned = () =>
  new AppError("conflict", "You already own this product; it is in your orders.");
const beingPrepared = () =>
  new AppError("conflict", "An order for this product is being prepared; try again shortly.");
const unavailable = (cause?: unknown) =>
  new AppError(
    "provider_unavailable",
    "The payment provider did not answer. Please try again in a moment.",
    undefined,
    { cause },
  );

/**
 * A one-off purchase (e-book, course, credit pack) paid by a Youzan dynamic QR code.
 *
 * One open order per buyer and product (`orders_open_purchase_uq`): asking again returns the
 * open order — also when two requests race — so there is never a second payable QR code for one
 * purchase. The order row is written before the QR is requested, so a provider failure never
 * leaves an unrecorded QR. Content is bought once; credit packs can be bought again.
 */
export async function createPurchaseOrder(
  deps: OrderDeps,
  input: { userId: string; productSlug: string },
): Promise<Order> {
  const { db } = deps;
  for (let attempt = 0; attempt < 3; attempt++) {
    // The product, what the buyer owns and holds open: one statement a pass.
    const now = await deps.now();
    const facts = await purchaseFacts(db, { userId: input.userId, slug: input.productSlug, now });
    if (!facts) throw new AppError("not_found", "No product with this slug is on sale.");
    const { product } = facts;
    if (product.kind === "membership") {
      throw new AppError(
        "bad_request",
        "Membership plans are bought with an Alipay agreement, not a QR order.",
      );
    }
    if (product.kind === "one_off" && facts.ownsContent) throw alreadyOwned();
    if (facts.openOrder) {
      const usable = await reuseOpenOrder(deps, facts.openOrder);
      if (usable) return usable;
      continue; // it was closed (paid or expired): look again, then create a new one
    }
    // A new QR code: at most 5 open at once.
    assertOpenPurchaseCap({ count: facts.openCount, nextExpiry: facts.nextOpenExpiry }, now);
    const created = await insertOrder(deps, input.userId, product, now);
    if (created) return requestQr(deps, created, product);
    // Another request inserted the open order first: reuse it on the next pass.
  }
  throw beingPrepared();
}

/**
 * An open order is reused while it can still be paid. One past its time-to-live gets its final
 * provider check (settling a payment, else expiring it); one whose QR another request is still
 * creating is waited for.
 */
async function reuseOpenOrder(deps: OrderDeps, open: Order): Promise<Order | null> {
  const now = await deps.now();
  if (open.expiresAt && open.expiresAt <= now) {
    const check = await checkYouzanOrder(deps, open, { force: true });
    if (!check.checked) return waitForFinalCheck(deps, open.id);
    const after = await findOrderById(deps.db, open.id);
    // Our own check ran: still pending means the provider could not be asked.
    if (after?.status === "pending") throw unavailable();
    return null;
  }
  if (open.qrId) return open;
  return waitForQr(deps, open.id);
}

/**
 * A parallel request won the claim of this expired order's final check (a double click): wait
 * for it to settle or expire the order, then look again. Only a check that stays unfinished
 * (the winner's provider call failed, or it died) answers "provider unavailable".
 */
async function waitForFinalCheck(deps: OrderDeps, orderId: string): Promise<null> {
  for (let waited = 0; waited < QR_WAIT_MS; waited += QR_WAIT_STEP_MS) {
    const fresh = await findOrderById(deps.db, orderId);
    if (!fresh || fresh.status !== "pending") return null;
    await deps.sleep(QR_WAIT_STEP_MS);
  }
  throw unavailable();
}

/** Another request is creating this order's QR code: look again until it is there or gone. */
async function waitForQr(deps: OrderDeps, orderId: string): Promise<Order | null> {
  for (let waited = 0; waited < QR_WAIT_MS; waited += QR_WAIT_STEP_MS) {
    await deps.sleep(QR_WAIT_STEP_MS);
    const fresh = await findOrderById(deps.db, orderId);
    if (!fresh || fresh.status !== "pending") return null;
    if (fresh.qrId) return fresh;
  }
  throw beingPrepared();
}

async function insertOrder(
  deps: OrderDeps,
  userId: string,
  product: Product,
  now: Date,
): Promise<Order | null> {
  return insertPurchaseOrder(deps.db, {
    id: newId("ord"),
    orderNo: newOrderNo(shanghaiDate(now)),
    userId,
    productId: product.id,
    amountFen: product.priceFen,
    expiresAt: new Date(now.getTime() + deps.orderTtlMinutes * 60_000),
    createdAt: now,
  });
}

async function requestQr(deps: OrderDeps, order: Order, product: Product): Promise<Order> {
  let qr: Awaited<ReturnType<OrderDeps["youzan"]["createDynamicQr"]>>;
  try {
    qr = await deps.youzan.createDynamicQr({
      name: product.nameZh,
      amountFen: order.amountFen,
      source: order.orderNo,
    });
  } catch (error) {
    await closeOrder(deps.db, order.id, "qr_create_failed");
    log.error({ orderId: order.id, err: error }, "QR code creation failed");
    if (isYouzanError(error)) throw providerFailure(error);
    throw error;
  }
  const withQr = await attachQr(deps.db, order.id, qr);
  log.info({ orderId: order.id, orderNo: order.orderNo, qrId: qr.qrId }, "order created");
  return withQr ?? order;
}

/**
 * The buyer is told which it was: the provider did not answer (try again in a moment), or it
 * answered and refused (the shop's Youzan setup needs the owner; trying again will not help).
 */
function providerFailure(error: YouzanError): AppError {
  if (error.retryable) return unavailable(error);
  return new AppError(
    "provider_refused",
    "The payment provider refused to create a payment code; please try again later or contact the shop.",
    undefined,
    { cause: error },
  );
}
