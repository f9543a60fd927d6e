import { describe, expect, it } from "vitest";
import type { AdminOrderDetail } from "@/db/queries/admin-orders";
import { channelOf, orderActions, orderFilters, orderListQuery } from "./orders";
import { parseQuery } from "./query";

type Payment = AdminOrderDetail["payments"][number];
type RefundRow = AdminOrderDetail["refunds"][number];

const at = new Date("2026-12-01T00:00:00Z");

function payment(over: Partial<Payment> = {}): Payment {
  return {
    id: "pay_1",
    orderId: "ord_1",
    provider: "alipay",
    providerTradeNo: "2026120122001",
    amountFen: 990,
    status: "paid",
    buyerRef: null,
    paidAt: at,
    refundedAt: null,
    refundedFen: 0,
    createdAt: at,
    ...over,
  };
}

function detail(
  order: Partial<AdminOrderDetail["order"]>,
  payments: Payment[],
  refunds: Partial<RefundRow>[] = [],
): AdminOrderDetail {
  return {
    order: {
      id: "ord_1",
      orderNo: "XP1",
      userId: "usr_1",
      productId: "prd_1",
      kind: "membership_initial",
      provider: "alipay",
      amountFen: 990,
      status: "paid",
      qrId: null,
      qrUrl: null,
      qrImage: null,
      agreementId: "agr_1",
      periodIndex: 1,
      reviewReason: null,
      expiresAt: null,
      lastCheckedAt: null,
      paidAt: at,
      createdAt: at,
      updatedAt: at,
      ...order,
    },
    product: { id: "prd_1", slug: "p", kind: "membership", nameZh: "周", nameEn: "Week" },
    buyer: { id: "usr_1", email: "a@example.com", name: null },
    agreement: null,
    payments,
    grant: null,
    refunds: refunds.map((r) => ({ status: "succeeded", method: "alipay", ...r }) as RefundRow),
    audit: [],
  };
}

describe("orderActions: what the owner may do with an order now", () => {
  it("a paid Alipay order: refund what is left of its paying trade", () => {
    expect(orderActions(detail({}, [payment()]))).toEqual({
      acceptReview: false,
      recordRefund: false,
      alipayRefundableFen: 990,
      pendingRefundId: null,
      markRefunded: false,
    });
    expect(orderActions(detail({}, [payment({ refundedFen: 490 })])).alipayRefundableFen).toBe(500);
    // A refund waiting for Alipay: no new one, the pending one is offered again.
    expect(
      orderActions(detail({}, [payment()], [{ id: "rfd_1", status: "pending" }])),
    ).toMatchObject({ alipayRefundableFen: 0, pendingRefundId: "rfd_1" });
    // Fully refunded: nothing.
    expect(
      orderActions(
        detail({ status: "refunded" }, [payment({ status: "refunded", refundedFen: 990 })]),
      ),
    ).toMatchObject({ alipayRefundableFen: 0, markRefunded: false, recordRefund: false });
  });

  it("a paid Youzan order: mark refunded by hand only", () => {
    expect(
      orderActions(
        detail({ provider: "youzan", kind: "purchase" }, [payment({ provider: "youzan" })]),
      ),
    ).toMatchObject({ markRefunded: true, alipayRefundableFen: 0, acceptReview: false });
  });

  it("an order in review: accept the payment or record a refund", () => {
    expect(
      orderActions(detail({ status: "review" }, [payment({ status: "mismatch", amountFen: 900 })])),
    ).toMatchObject({ acceptReview: true, recordRefund: true, alipayRefundableFen: 0 });
    // In review with nothing received: nothing to accept or give back.
    expect(orderActions(detail({ status: "review" }, []))).toMatchObject({
      acceptReview: false,
      recordRefund: false,
    });
  });
});

describe("channels and filters", () => {
  it("channelOf", () => {
    expect(channelOf({ provider: "youzan", kind: "purchase" })).toBe("youzan");
    expect(channelOf({ provider: "alipay", kind: "membership_initial" })).toBe("alipay_first");
    expect(channelOf({ provider: "alipay", kind: "renewal" })).toBe("alipay_renewal");
  });

  it("from/to are Shanghai days, `to` included (half-open at the next midnight)", () => {
    const query = parseQuery(
      new URLSearchParams({ from: "2026-11-01", to: "2026-11-30" }),
      orderListQuery,
    );
    expect(orderFilters(query)).toMatchObject({
      from: new Date("2026-10-31T16:00:00Z"),
      to: new Date("2026-11-30T16:00:00Z"),
    });
  });
});
