import "server-only";
import { z } from "zod";
import { getDb } from "@/db";
import { assertAdmin } from "@/lib/auth/guards";
import { AppError } from "@/lib/errors";
import { json, readJson, route } from "@/lib/http/json";
import { moduleLogger } from "@/lib/logger";
import { refundAlipayOrder } from "@/lib/refunds/alipay";
import { MANUAL_NOTE_MAX, recordManualRefund } from "@/lib/refunds/manual";
import { parseYuanAmount } from "@/lib/refunds/rules";
import { getRuntime, kickNotices } from "@/lib/runtime";
import { orderActions, orderDetail } from "./orders";
import { acceptReviewPayment } from "./orders-review";

/*
 * The order actions as POST routes (`/api/admin/orders/{orderNo}/…`): the admin only (401 / 403
 * before the body is read), a JSON body (a cross-site form cannot send one), 4xx with a reason
 * for anything the order's state or the input does not allow. Each action writes its audit rows
 * in the transaction of its change (lib/refunds, lib/orders/settle).
 */

const log = moduleLogger("admin-orders");

type Context = { params: Promise<{ orderNo: string }> };

const requiredNote = z.string().trim().min(1, "refund.note").max(MANUAL_NOTE_MAX, "too_long");
const optionalNote = z.string().trim().max(MANUAL_NOTE_MAX, "too_long").optional();

const refundBody = z.union([
  z.strictObject({
    /** Yuan, as the owner typed it ("12.50"). */
    amount: z.string().max(20),
    note: optionalNote,
    /** What the page showed as refunded already: a stale page cannot refund twice. */
    expectedRefundedFen: z.number().int().min(0),
    /** The amount the page showed in the confirmation must be the one sent. */
    confirm: z.literal("refund"),
  }),
  z.strictObject({ retryRefundId: z.string().regex(/^rfd_[0-9a-z]{1,40}$/) }),
]);

const manualBody = z.strictObject({ note: requiredNote, confirm: z.literal("refunded") });
const acceptBody = z.strictObject({
  note: optionalNote,
  paymentId: z
    .string()
    .regex(/^pay_[0-9a-z]{1,40}$/)
    .optional(),
  confirm: z.literal("accept"),
});

async function orderNoOf(context: Context): Promise<string> {
  const { orderNo } = await context.params;
  if (!/^[A-Za-z0-9_]{1,64}$/.test(orderNo)) throw new AppError("not_found", "No such order.");
  return orderNo;
}

/** `GET /api/admin/orders/{orderNo}`: the order with its trades, grant, refunds and audit. */
export const orderDetailRoute = route(async (_request: Request, context: Context) => {
  await assertAdmin();
  const detail = await orderDetail(await getDb(), await orderNoOf(context));
  return json(
    { ...detail, actions: orderActions(detail) },
    { headers: { "cache-control": "no-store" } },
  );
});

/** `POST …/refund`: refund through Alipay (`{amount, note?, expectedRefundedFen, confirm}`). */
export const refundRoute = route(async (request: Request, context: Context) => {
  const admin = await assertAdmin();
  const orderNo = await orderNoOf(context);
  const body = await readJson(request, refundBody);
  const runtime = await getRuntime();
  let input: Parameters<typeof refundAlipayOrder>[1];
  if ("retryRefundId" in body) {
    input = {
      orderNo,
      amountFen: 0,
      note: null,
      actorUserId: admin.id,
      retryRefundId: body.retryRefundId,
    };
  } else {
    const amountFen = parseYuanAmount(body.amount);
    if (amountFen === null || amountFen <= 0) {
      throw new AppError("validation_failed", "The amount is not one.", {
        amount: ["refund.amount_invalid"],
      });
    }
    input = {
      orderNo,
      amountFen,
      note: body.note || null,
      actorUserId: admin.id,
      expectedRefundedFen: body.expectedRefundedFen,
    };
  }
  const result = await refundAlipayOrder(
    { db: runtime.db, now: runtime.now, alipay: runtime.alipay },
    input,
  );
  log.info(
    { adminId: admin.id, orderNo, refundId: result.refund.id, status: result.status },
    "refund",
  );
  kickNotices();
  return json({
    status: result.status,
    refundId: result.refund.id,
    outRequestNo: result.refund.outRequestNo,
    amountFen: result.refund.amountFen,
    reused: result.reused,
    code: result.code,
    message: result.message,
  });
});

/** `POST …/mark-refunded`: a Youzan QR order the owner refunded by hand (`{note, confirm}`). */
export const markRefundedRoute = route(async (request: Request, context: Context) => {
  const admin = await assertAdmin();
  const orderNo = await orderNoOf(context);
  const body = await readJson(request, manualBody);
  const runtime = await getRuntime();
  const detail = await orderDetail(runtime.db, orderNo);
  if (detail.order.status === "review") {
    throw new AppError("conflict", "The order is in review: use “record a refund” there.");
  }
  const result = await recordManualRefund(runtime, {
    orderNo,
    note: body.note,
    actorUserId: admin.id,
  });
  kickNotices();
  return json({ status: "refunded", refunds: result.refunds });
});

/** `POST …/record-refund`: an order in review whose money went back outside the shop. */
export const recordRefundRoute = route(async (request: Request, context: Context) => {
  const admin = await assertAdmin();
  const orderNo = await orderNoOf(context);
  const body = await readJson(request, manualBody);
  const runtime = await getRuntime();
  const detail = await orderDetail(runtime.db, orderNo);
  if (detail.order.status !== "review") {
    throw new AppError("conflict", `The order is ${detail.order.status}, not in review.`);
  }
  const result = await recordManualRefund(runtime, {
    orderNo,
    note: body.note,
    actorUserId: admin.id,
  });
  kickNotices();
  return json({ status: "refunded", refunds: result.refunds });
});

/** `POST …/accept`: accept the payment of an order in review (`{note?, paymentId?, confirm}`). */
export const acceptRoute = route(async (request: Request, context: Context) => {
  const admin = await assertAdmin();
  const orderNo = await orderNoOf(context);
  const body = await readJson(request, acceptBody);
  const runtime = await getRuntime();
  const order = await acceptReviewPayment(runtime, {
    orderNo,
    paymentId: body.paymentId,
    note: body.note || null,
    actorUserId: admin.id,
  });
  return json({ status: order.status });
});
