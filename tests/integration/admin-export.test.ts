import { eq, sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { GET as exportOrders } from "@/app/api/admin/export/orders/route";
import { auditLog, chargeAttempts, deductionLogs, orders, payments } from "@/db/schema";
import {
  deductionCsv,
  exportDates,
  exportFileName,
  orderCsv,
  type DeductionExportLabels,
} from "@/lib/admin/export";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { withTestDatabase } from "../helpers/db";
import { orderLabels } from "../helpers/export-labels";
import { makeAgreement, makeOrder, makeUser } from "../helpers/factories";

/*
 * lib/admin/export.ts (issue #11, "CSV export"): orders and deduction logs of a range of
 * Asia/Shanghai dates as CSV, read in keyset batches. Batches of 1 and 2 here, so every file
 * crosses batch boundaries.
 */

// The route's guard and its texts come from Next's request (cookies, session): stood in for here.
const guard = vi.hoisted(() => ({ admin: null as { id: string; role: string } | null }));
vi.mock("@/lib/auth/guards", async () => {
  const { AppError } = await import("@/lib/errors");
  return {
    assertAdmin: async () => {
      if (!guard.admin) throw new AppError("unauthorized", "Sign in first.");
      return guard.admin;
    },
  };
});
vi.mock("next-intl/server", () => ({
  getTranslations: async (namespace: string) => (key: string) => `${namespace}.${key}`,
  getLocale: async () => "zh-CN",
}));

const t = withTestDatabase();

const deductionLabels: DeductionExportLabels = {
  headers: {
    time: "时间",
    method: "接口",
    outcome: "结果",
    code: "返回码",
    subCode: "业务返回码",
    subMessage: "业务返回说明",
    httpStatus: "HTTP",
    durationMs: "耗时",
    agreement: "协议号",
    alipayAgreement: "支付宝协议号",
    orderNo: "订单号",
    attempt: "次",
    amount: "金额",
  },
};

/** The file as text, its byte-order mark kept (Response.text() would drop it). */
const read = async (stream: ReadableStream<Uint8Array>) =>
  new TextDecoder("utf-8", { ignoreBOM: true }).decode(await new Response(stream).arrayBuffer());
const lines = (csv: string) =>
  csv
    .replace(/^\uFEFF/, "")
    .split("\r\n")
    .slice(0, -1);
const range = (from: string, to: string) =>
  exportDates(new URLSearchParams({ from, to }), new Date()).range;

describe("the export's date range", () => {
  const now = new Date("2026-11-30T17:00:00Z"); // 2026-12-01 01:00 in Shanghai

  it("defaults to the last 30 Shanghai days, today included", () => {
    const dates = exportDates(new URLSearchParams(), now);
    expect(dates).toMatchObject({ from: "2026-11-02", to: "2026-12-01" });
    expect(dates.range.from.toISOString()).toBe("2026-11-01T16:00:00.000Z");
    expect(dates.range.to.toISOString()).toBe("2026-12-01T16:00:00.000Z");
    expect(exportFileName("orders", dates)).toBe("orders-2026-11-02_2026-12-01.csv");
  });

  it("takes a range of whole days, both ends included; one day is fine", () => {
    const dates = exportDates(new URLSearchParams({ from: "2028-02-29", to: "2028-02-29" }), now);
    expect(dates.range.from.toISOString()).toBe("2028-02-28T16:00:00.000Z");
    expect(dates.range.to.toISOString()).toBe("2028-02-29T16:00:00.000Z");
  });

  it.each([
    [{ from: "2026-02-30" }, /from must be a date/],
    [{ to: "yesterday" }, /to must be a date/],
    [{ from: "2026-1-5" }, /from must be a date/],
    [{ from: "2026-11-20", to: "2026-11-19" }, /after to/],
    [{ from: "2025-01-01", to: "2026-01-02" }, /at most 366 days/],
  ])("refuses %j with a reason (400)", (params, reason) => {
    let thrown: unknown;
    try {
      exportDates(new URLSearchParams(params), now);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect((thrown as AppError).status).toBe(400);
    expect((thrown as AppError).message).toMatch(reason);
  });
});

describe("the orders CSV", () => {
  it("has a BOM, a header, every order of the range once in creation order, Excel-ready cells", async () => {
    const db = t.db();
    const buyer = await makeUser(db, { email: "=cmd@example.com" });
    const at = (iso: string) => new Date(iso);
    // Shanghai 2026-11-10 00:00 is 11-09 16:00 UTC; 11-12 ends at 11-12 16:00 UTC.
    const before = await makeOrder(db, { createdAt: at("2026-11-09T15:59:59.999Z") });
    const first = await makeOrder(db, {
      userId: buyer.id,
      createdAt: at("2026-11-09T16:00:00Z"),
      amountFen: 123456,
      status: "paid",
      paidAt: at("2026-11-09T16:05:07Z"),
    });
    await db.insert(payments).values({
      id: newId("pay"),
      orderId: first.id,
      provider: "youzan",
      providerTradeNo: "E2026111000000001",
      amountFen: 123456,
      status: "paid",
      paidAt: at("2026-11-09T16:05:07Z"),
    });
    const middle = await makeOrder(db, {
      createdAt: at("2026-11-11T02:00:00Z"),
      status: "review",
      reviewReason: 'amount "mismatch", 9.00 ≠ 9.90',
    });
    const last = await makeOrder(db, { createdAt: at("2026-11-12T15:59:59.999Z") });
    const after = await makeOrder(db, { createdAt: at("2026-11-12T16:00:00Z") });

    const csv = await read(orderCsv(db, range("2026-11-10", "2026-11-12"), orderLabels, 2));
    expect(csv.startsWith("\uFEFF订单号,下单时间,")).toBe(true);
    const rows = lines(csv);
    expect(rows).toHaveLength(4);
    expect(rows[0]).toBe(
      "订单号,下单时间,支付时间,渠道,状态,状态代码,商品,买家,金额（元）,交易号,期数,备注",
    );
    expect(rows[1]).toBe(
      `${first.orderNo},2026-11-10 00:00:00,2026-11-10 00:05:07,youzan/purchase,label:paid,paid,测试商品,'=cmd@example.com,1234.56,E2026111000000001,,`,
    );
    expect(rows[2]).toContain(`${middle.orderNo},2026-11-11 10:00:00,,`);
    expect(rows[2]).toMatch(/,9\.90,,,"amount ""mismatch"", 9\.00 ≠ 9\.90"$/);
    expect(rows[3]).toContain(`${last.orderNo},2026-11-12 23:59:59,`);
    expect(csv).not.toContain(before.orderNo);
    expect(csv).not.toContain(after.orderNo);
  });

  it("pages by the exact creation time: orders a microsecond apart are each exported once", async () => {
    const db = t.db();
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await makeOrder(db));
    // Three in one millisecond (a JS Date would see them as equal), two at the same instant.
    const stamps = [
      "2026-11-20 10:00:00.000001+08",
      "2026-11-20 10:00:00.000002+08",
      "2026-11-20 10:00:00.000003+08",
      "2026-11-20 10:00:00.000004+08",
      "2026-11-20 10:00:00.000004+08",
    ];
    for (const [i, order] of made.entries()) {
      await db
        .update(orders)
        .set({ createdAt: sql`${stamps[i]}::timestamptz` })
        .where(eq(orders.id, order.id));
    }
    for (const batch of [1, 2, 10]) {
      const csv = await read(orderCsv(db, range("2026-11-20", "2026-11-20"), orderLabels, batch));
      const numbers = lines(csv)
        .slice(1)
        .map((line) => line.split(",")[0]);
      expect([...numbers].sort(), `batch ${batch}`).toEqual(made.map((o) => o.orderNo).sort());
    }
  });

  it("an empty range is the header alone", async () => {
    const csv = await read(orderCsv(t.db(), range("2020-01-01", "2020-01-31"), orderLabels, 2));
    expect(lines(csv)).toHaveLength(1);
  });
});

describe("the deduction logs CSV", () => {
  it("one line per Alipay call with its codes, agreement, order, attempt and amount", async () => {
    const db = t.db();
    const agreement = await makeAgreement(db, { status: "active" });
    const order = await makeOrder(db, {
      userId: agreement.userId,
      productId: agreement.productId,
      kind: "renewal",
      provider: "alipay",
      agreementId: agreement.id,
      periodIndex: 2,
      amountFen: 3000,
    });
    const attemptId = newId("chg");
    await db.insert(chargeAttempts).values({
      id: attemptId,
      agreementId: agreement.id,
      orderId: order.id,
      periodIndex: 2,
      attemptNo: 1,
      outTradeNo: order.orderNo,
      amountFen: 3000,
    });
    const log = (response: unknown, createdAt: string, outcome: string) => ({
      provider: "alipay" as const,
      apiMethod: "alipay.trade.pay",
      agreementId: agreement.id,
      chargeAttemptId: attemptId,
      orderId: order.id,
      request: { out_trade_no: order.orderNo },
      response,
      httpStatus: 200,
      outcome,
      durationMs: 120,
      createdAt: new Date(createdAt),
    });
    await db.insert(deductionLogs).values([
      log(
        {
          alipay_trade_pay_response: {
            code: "40004",
            msg: "Business Failed",
            sub_code: "ACQ.BUYER_BALANCE_NOT_ENOUGH",
            sub_msg: "买家余额不足",
          },
          sign: "x",
        },
        "2026-11-21T01:00:00Z",
        "declined",
      ),
      log(
        { error_response: { code: "40002", msg: "Invalid Arguments" } },
        "2026-11-21T02:00:00Z",
        "rejected",
      ),
      log(null, "2026-11-21T03:00:00Z", "unknown"),
      log({ alipay_trade_pay_response: { code: "10000" } }, "2026-11-22T16:00:00Z", "succeeded"),
    ]);

    const csv = await read(deductionCsv(db, range("2026-11-21", "2026-11-22"), deductionLabels, 1));
    const rows = lines(csv);
    expect(rows[0]).toBe(
      "时间,接口,结果,返回码,业务返回码,业务返回说明,HTTP,耗时,协议号,支付宝协议号,订单号,次,金额",
    );
    expect(rows.slice(1)).toEqual([
      `2026-11-21 09:00:00,alipay.trade.pay,declined,40004,ACQ.BUYER_BALANCE_NOT_ENOUGH,买家余额不足,200,120,${agreement.externalAgreementNo},${agreement.agreementNo},${order.orderNo},1,30.00`,
      `2026-11-21 10:00:00,alipay.trade.pay,rejected,40002,,,200,120,${agreement.externalAgreementNo},${agreement.agreementNo},${order.orderNo},1,30.00`,
      `2026-11-21 11:00:00,alipay.trade.pay,unknown,,,,200,120,${agreement.externalAgreementNo},${agreement.agreementNo},${order.orderNo},1,30.00`,
    ]);
  });
});

describe("GET /api/admin/export/orders", () => {
  const get = (query: string) =>
    exportOrders(new Request(`http://shop.test/api/admin/export/orders${query}`), undefined);

  it("streams the CSV as a download and audits who exported which range", async () => {
    const admin = await makeUser(t.db(), { role: "admin" });
    guard.admin = { id: admin.id, role: "admin" };
    const order = await makeOrder(t.db(), { createdAt: new Date("2026-11-15T04:00:00Z") });
    const response = await get("?from=2026-11-15&to=2026-11-15");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toContain(
      'filename="orders-2026-11-15_2026-11-15.csv"',
    );
    const csv = await read(response.body!);
    expect(csv.startsWith("\uFEFFadmin.export.orders.orderNo,")).toBe(true);
    expect(lines(csv)[1]).toContain(`${order.orderNo},2026-11-15 12:00:00,`);
    const audits = await t.db().select().from(auditLog).where(eq(auditLog.action, "export.orders"));
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({
      actorKind: "user",
      actorUserId: admin.id,
      targetType: "export",
      targetId: "orders",
      details: { from: "2026-11-15", to: "2026-11-15" },
    });
  });

  it("a bad range: 400 with the reason, nothing exported, nothing audited", async () => {
    const admin = await makeUser(t.db(), { role: "admin" });
    guard.admin = { id: admin.id, role: "admin" };
    const response = await get("?from=2026-13-01");
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain("from must be a date");
    expect(await t.db().select().from(auditLog)).toEqual([]);
  });

  it("without the admin: the guard's refusal (401), nothing audited", async () => {
    guard.admin = null;
    expect((await get("")).status).toBe(401);
    expect(await t.db().select().from(auditLog)).toEqual([]);
  });
});
