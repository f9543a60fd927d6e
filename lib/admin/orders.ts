import "server-only";
import { z } from "zod";
import type { Db } from "@/db/client";
import {
  findAdminOrder,
  listAdminOrders,
  ORDER_CHANNELS,
  type AdminOrderDetail,
  type AdminOrderFilters,
  type AdminOrderListRow,
  type OrderChannel,
} from "@/db/queries/admin-orders";
import { orderKind, orderStatus } from "@/db/schema";
import { addDays, startOfShanghaiDate } from "@/lib/clock";
import { AppError } from "@/lib/errors";
import { dayParam, decodeCursor, encodeCursor, limitParam, type AdminPage } from "./query";

/*
 * The admin's orders list: one schema for the page's URL and the JSON API, so a link from the
 * dashboard (`/admin/orders?channel=alipay_renewal&status=paid&from=2026-11-01&to=2026-11-30`)
 * and an API call mean the same thing. Days are Asia/Shanghai calendar days, both included.
 */

type Enum<T extends string> = [T, ...T[]];

export const orderListQuery = z
  .object({
    status: z.enum(orderStatus.enumValues).optional(),
    channel: z.enum(ORDER_CHANNELS as Enum<OrderChannel>).optional(),
    kind: z.enum(orderKind.enumValues).optional(),
    from: dayParam.optional(),
    to: dayParam.optional(),
    q: z.string().max(200, "too_long").optional(),
    cursor: z.string().max(400, "too_long").optional(),
    limit: limitParam,
  })
  .refine((query) => !query.from || !query.to || query.from <= query.to, {
    message: "date.range",
    path: ["to"],
  });
export type OrderListQuery = z.infer<typeof orderListQuery>;

/** The cursor as the client sees it: [created_at as PostgreSQL's text, id]. */
const orderCursor = z.tuple([
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:?\d{2})?|Z)$/)
    .refine((text) => {
      // A real instant (a month 13 would pass the pattern and fail in the database).
      const head = `${text.slice(0, 10)}T${text.slice(11, 19)}Z`;
      const date = new Date(head);
      return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(head.slice(0, 19));
    }),
  z.string().regex(/^ord_[0-9a-z]{1,40}$/),
]);

export function orderFilters(query: OrderListQuery): AdminOrderFilters {
  return {
    status: query.status,
    channel: query.channel,
    kind: query.kind,
    from: query.from ? startOfShanghaiDate(query.from) : undefined,
    to: query.to ? startOfShanghaiDate(addDays(query.to, 1)) : undefined,
    q: query.q,
  };
}

/** A row of the list as the client gets it (JSON: dates as ISO strings). */
export interface OrderListItem {
  id: string;
  orderNo: string;
  kind: string;
  channel: OrderChannel;
  provider: string;
  status: string;
  amountFen: number;
  refundedFen: number;
  reviewReason: string | null;
  productNameZh: string;
  productNameEn: string;
  buyerEmail: string;
  providerTradeNo: string | null;
  createdAt: string;
  paidAt: string | null;
}

export function channelOf(order: { provider: string; kind: string }): OrderChannel {
  if (order.provider === "youzan") return "youzan";
  return order.kind === "renewal" ? "alipay_renewal" : "alipay_first";
}

function toItem(row: AdminOrderListRow): OrderListItem {
  const { order } = row;
  return {
    id: order.id,
    orderNo: order.orderNo,
    kind: order.kind,
    channel: channelOf(order),
    provider: order.provider,
    status: order.status,
    amountFen: order.amountFen,
    refundedFen: row.refundedFen,
    reviewReason: order.reviewReason,
    productNameZh: row.productNameZh,
    productNameEn: row.productNameEn,
    buyerEmail: row.buyerEmail,
    providerTradeNo: row.providerTradeNo,
    createdAt: order.createdAt.toISOString(),
    paidAt: order.paidAt?.toISOString() ?? null,
  };
}

/** A page of the orders list (the page's first render and the JSON API). */
export async function ordersPage(db: Db, query: OrderListQuery): Promise<AdminPage<OrderListItem>> {
  const decoded = query.cursor ? decodeCursor(query.cursor, orderCursor) : null;
  const page = await listAdminOrders(db, orderFilters(query), {
    cursor: decoded ? { createdAt: decoded[0], id: decoded[1] } : null,
    limit: query.limit,
  });
  return {
    items: page.items.map(toItem),
    nextCursor: page.nextCursor
      ? encodeCursor([page.nextCursor.createdAt, page.nextCursor.id])
      : null,
  };
}

/** The order's page as data; 404 for an unknown order number. */
export async function orderDetail(db: Db, orderNo: string): Promise<AdminOrderDetail> {
  const detail = /^[A-Za-z0-9_]{1,64}$/.test(orderNo)
    ? await findAdminOrder(db, orderNo)
    : undefined;
  if (!detail) throw new AppError("not_found", "There is no such order.");
  return detail;
}

/** What the owner may do with an order now (the detail page shows these actions). */
export interface OrderActions {
  /** In review: accept a recorded payment, or record that the money went back. */
  acceptReview: boolean;
  recordRefund: boolean;
  /** Alipay: refund through Alipay, at most this much (fen); 0 when nothing is left. */
  alipayRefundableFen: number;
  /** A refund at Alipay whose answer is not known yet (retry with the same number). */
  pendingRefundId: string | null;
  /** Youzan QR: no refund API, mark refunded by hand. */
  markRefunded: boolean;
}

export function orderActions(detail: AdminOrderDetail): OrderActions {
  const { order } = detail;
  const paying = detail.payments.find((p) => p.status === "paid");
  const pending = detail.refunds.find((r) => r.status === "pending");
  return {
    acceptReview:
      order.status === "review" &&
      detail.payments.some((p) => p.status === "mismatch" && p.refundedFen === 0),
    recordRefund:
      order.status === "review" && detail.payments.some((p) => p.amountFen > p.refundedFen),
    alipayRefundableFen:
      order.provider === "alipay" && paying && !pending ? paying.amountFen - paying.refundedFen : 0,
    pendingRefundId: pending?.id ?? null,
    markRefunded: order.provider === "youzan" && order.status === "paid",
  };
}
