import { desc } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { youzanSandboxCalls } from "@/db/schema";
import { SandboxError } from "@/lib/sandbox/youzan";
import { at, BASE, decodeForm, type Json, withSandboxHarness } from "../helpers/sandbox-harness";
import { statementsOf } from "../helpers/statements";

/*
 * The Youzan sandbox's QR codes and trades (spec §3, §6.2): creating codes, scans and payments,
 * the two views of a trade (trades.qr.get rows and trade.get), and their lifecycle on the clock.
 */

const h = withSandboxHarness();
const { advance, api, authed, createQr, issueToken } = h;

describe("QR codes and QR trades", () => {
  it("creates a dynamic QR: numeric-string qr_id, the pay page URL and a PNG", async () => {
    const { status, json } = await authed(["youzan.pay.qrcode.create", "3.0.0"], {
      qr_type: "QR_TYPE_DYNAMIC",
      qr_price: "990",
      qr_name: "电子书",
      qr_source: "XP20260301ABCDEFGHJK",
    });
    expect(status).toBe(200);
    const created = at(json, "response") as Json;
    expect(created.qr_id).toBe("1000001");
    expect(created.qr_url).toBe(`${BASE}/pay?qr_id=1000001`);
    expect(created.qr_type).toBe(4);
    expect(created.qr_code).toMatch(/^data:image\/png;base64,/);
    const png = Buffer.from(String(created.qr_code).split(",")[1]!, "base64");
    expect(png.subarray(1, 4).toString("ascii")).toBe("PNG");

    // Integer prices are accepted too; ids increase.
    expect(await createQr({ qr_type: "QR_TYPE_DYNAMIC", qr_price: 100, qr_name: "x" })).toBe(
      "1000002",
    );

    const got = await authed(["youzan.pay.qrcode.get", "3.0.0"], { qr_id: "1000001" });
    expect(at(got.json, "response")).toMatchObject({
      qr_id: 1000001,
      qr_name: "电子书",
      qr_price: 990,
      qr_type: "QR_TYPE_DYNAMIC",
      qr_url: created.qr_url,
      qr_source: "XP20260301ABCDEFGHJK",
      qr_created_time: "2026-03-01 10:00:00",
    });
    expect((await h.sandbox.getQr("1000001"))?.name).toBe("电子书");
  });

  it.each([
    ["yuan instead of fen", { qr_type: "QR_TYPE_DYNAMIC", qr_price: "9.90", qr_name: "x" }, 50000],
    // A missing parameter is 53002 (spec §2.4); see youzan-sandbox-gateway for every API.
    ["a missing price", { qr_type: "QR_TYPE_DYNAMIC", qr_name: "x" }, 53002],
    ["a zero price", { qr_type: "QR_TYPE_DYNAMIC", qr_price: 0, qr_name: "x" }, 50000],
    ["a missing name", { qr_type: "QR_TYPE_DYNAMIC", qr_price: "990" }, 53002],
    ["an unknown type", { qr_type: "QR_TYPE_FIXED", qr_price: "990", qr_name: "x" }, 50000],
  ])("refuses %s in the legacy error envelope", async (_label, params, code) => {
    const { status, json } = await authed(["youzan.pay.qrcode.create", "3.0.0"], params);
    expect(status).toBe(200);
    expect(json).toEqual({ error_response: { code, msg: expect.any(String) } });
  });

  it("a parameter of the wrong JSON type is gateway error 5001", async () => {
    const { json } = await authed(["youzan.pay.qrcode.create", "3.0.0"], {
      qr_type: "QR_TYPE_DYNAMIC",
      qr_price: { fen: 990 },
      qr_name: "x",
    });
    expect(at(json, "gw_err_resp.err_code")).toBe(5001);
  });

  it("scan → WAIT_RECEIVED row; pay reuses it → TRADE_RECEIVED with yuan amounts", async () => {
    const qrId = await createQr();
    const token = await issueToken();
    const list = async (params: Record<string, unknown> = { qr_id: qrId }) =>
      at(
        (await api(["youzan.trades.qr.get", "3.0.0"], params, { token })).json,
        "response",
      ) as Json;

    expect(await list()).toEqual({ qr_trades: [], total_results: 0 });
    const { tid } = await h.sandbox.scan(qrId);
    expect(tid).toMatch(/^E20260301100000\d{9}$/);
    const waiting = await list();
    expect(waiting.total_results).toBe(1);
    expect(at(waiting, "qr_trades.0")).toEqual({
      tid,
      qr_id: qrId,
      qr_url: `${BASE}/pay?qr_id=${qrId}`,
      qr_name: "电子书 · 小铺",
      qr_price: "9.90",
      real_price: "",
      payer_nick: "",
      outer_tid: "",
      status: "WAIT_RECEIVED",
      pay_type: "",
      book_date: "2026-03-01 10:00:00",
      created_date: "2026-03-01 10:00:00",
      pay_date: "",
    });
    expect(await list({ qr_id: qrId, status: "TRADE_RECEIVED" })).toEqual({
      qr_trades: [],
      total_results: 0,
    });

    advance(65);
    const paid = await h.sandbox.pay({ qrId, payType: "ALIPAY", payerNick: "alipay_2088" });
    expect(paid.tid).toBe(tid);
    const rows = await list({ qr_id: qrId, status: "TRADE_RECEIVED" });
    expect(rows.total_results).toBe(1);
    expect(at(rows, "qr_trades.0")).toMatchObject({
      tid,
      qr_id: qrId,
      status: "TRADE_RECEIVED",
      qr_price: "9.90",
      real_price: "9.90",
      pay_type: "ALIPAY",
      payer_nick: "alipay_2088",
      pay_date: "2026-03-01 10:01:05",
      created_date: "2026-03-01 10:00:00",
    });
    // GET with query parameters works the same.
    const viaGet = await api(
      ["youzan.trades.qr.get", "3.0.0"],
      { qr_id: qrId, status: "TRADE_RECEIVED" },
      { token, method: "GET" },
    );
    expect(at(viaGet.json, "response.total_results")).toBe(1);
  });

  it("lists one row per scan, newest first, and pages", async () => {
    const qrId = await createQr({ qr_type: "QR_TYPE_NOLIMIT", qr_price: "500", qr_name: "打赏" });
    const tids: string[] = [];
    for (let i = 0; i < 3; i++) {
      tids.push((await h.sandbox.scan(qrId)).tid);
      advance(10);
    }
    const token = await issueToken();
    const all = await api(["youzan.trades.qr.get", "3.0.0"], { qr_id: qrId }, { token });
    const listed = at(all.json, "response.qr_trades") as Json[];
    expect(listed.map((row) => row.tid)).toEqual([...tids].reverse());
    const page = await api(
      ["youzan.trades.qr.get", "3.0.0"],
      { qr_id: qrId, page_size: 2, page_no: 2, fields: "tid,status" },
      { token },
    );
    expect(at(page.json, "response")).toEqual({
      qr_trades: [{ tid: tids[0], status: "WAIT_RECEIVED" }],
      total_results: 3,
    });
  });

  it("a dynamic QR refuses a second payment, also when two payments race", async () => {
    const qrId = await createQr();
    await h.sandbox.pay({ qrId });
    await expect(h.sandbox.pay({ qrId })).rejects.toMatchObject({ status: 409 });
    await expect(h.sandbox.pay({ qrId })).rejects.toBeInstanceOf(SandboxError);
    expect((await h.sandbox.getQr(qrId))?.paid).toBe(true);
    // Scanning is still possible; paying is not.
    await h.sandbox.scan(qrId);

    const racing = await createQr();
    const results = await Promise.allSettled([
      h.sandbox.pay({ qrId: racing }),
      h.sandbox.pay({ qrId: racing }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });

  it("a no-limit QR takes many payments; a payer-priced QR needs the amount", async () => {
    const nolimit = await createQr({
      qr_type: "QR_TYPE_NOLIMIT",
      qr_price: "500",
      qr_name: "打赏",
    });
    const a = await h.sandbox.pay({ qrId: nolimit });
    const b = await h.sandbox.pay({ qrId: nolimit });
    expect(a.tid).not.toBe(b.tid);

    const byPerson = await createQr({ qr_type: "QR_TYPE_FIXED_BY_PERSON", qr_name: "随意付" });
    await expect(h.sandbox.pay({ qrId: byPerson })).rejects.toMatchObject({ status: 400 });
    const { tid } = await h.sandbox.pay({ qrId: byPerson, amountFen: 1234 });
    const row = at(
      (await authed(["youzan.trades.qr.get", "3.0.0"], { qr_id: byPerson })).json,
      "response.qr_trades.0",
    );
    expect(row).toMatchObject({ tid, real_price: "12.34", qr_price: "0.00" });
  });

  it("reports an amount that differs from the QR price (real_price ≠ qr_price)", async () => {
    const qrId = await createQr();
    await h.sandbox.pay({ qrId, amountFen: 1 });
    const row = at(
      (await authed(["youzan.trades.qr.get", "3.0.0"], { qr_id: qrId })).json,
      "response.qr_trades.0",
    );
    expect(row).toMatchObject({ qr_price: "9.90", real_price: "0.01" });
  });

  it("refuses bad pay input and unknown QR codes", async () => {
    await expect(h.sandbox.pay({ qrId: "999" })).rejects.toMatchObject({ status: 404 });
    await expect(h.sandbox.pay({ qrId: "abc" })).rejects.toMatchObject({ status: 404 });
    await expect(h.sandbox.scan("1000001")).rejects.toMatchObject({ status: 404 });
    const qrId = await createQr();
    await expect(h.sandbox.pay({ qrId, amountFen: -5 })).rejects.toMatchObject({ status: 400 });
    await expect(h.sandbox.pay({ qrId, payType: "wx pay" })).rejects.toMatchObject({
      status: 400,
    });
    expect(await h.sandbox.getQr("nope")).toBeNull();
  });
});

describe("youzan.trade.get", () => {
  it("4.0.2: code/success envelope, full_order_info and qr_info.qr_id as a number", async () => {
    const qrId = await createQr();
    const { tid } = await h.sandbox.pay({ qrId, payerNick: "小明" });
    const token = await issueToken();
    const { json } = await api(["youzan.trade.get", "4.0.2"], { tid }, { token });
    expect(json).toMatchObject({
      code: 200,
      success: true,
      message: "successful",
      trace_id: expect.any(String),
    });
    const order = at(json, "data.full_order_info.order_info");
    expect(order).toMatchObject({
      tid,
      status: "TRADE_PAID",
      type: 6,
      created: "2026-03-01 10:00:00",
      pay_time: "2026-03-01 10:00:00",
      expired_time: "2026-03-01 10:30:00",
      success_time: "",
      close_type: 0,
    });
    expect(at(json, "data.full_order_info.pay_info")).toMatchObject({
      payment: "9.90",
      total_fee: "9.90",
      post_fee: "0.00",
    });
    expect(at(json, "data.full_order_info.buyer_info.fans_nickname")).toBe("小明");
    expect(at(json, "data.full_order_info.orders.0")).toMatchObject({
      item_type: 30,
      title: "电子书 · 小铺",
      num: 1,
    });
    expect(at(json, "data.qr_info")).toMatchObject({
      qr_id: Number(qrId),
      qr_name: "电子书 · 小铺",
    });
    expect(typeof at(json, "data.qr_info.qr_pay_id")).toBe("number");

    advance(1);
    const later = await api(["youzan.trade.get", "4.0.0"], { tid }, { token });
    expect(at(later.json, "data.full_order_info.order_info")).toMatchObject({
      status: "TRADE_SUCCESS",
      success_time: "2026-03-01 10:00:01",
    });
  });

  it("answers in four statements and one clock read: settings, token, the trade with its QR, the call's record", async () => {
    const qrId = await createQr();
    const { tid } = await h.sandbox.pay({ qrId });
    const token = await issueToken();
    let clockReads = 0;
    h.rebuild({
      clock: {
        now: async () => {
          clockReads++;
          return new Date(h.now());
        },
      },
    });
    const { result, statements } = await statementsOf(h.db(), () =>
      api(["youzan.trade.get", "4.0.2"], { tid }, { token }),
    );
    expect(at(result.json, "data.qr_info.qr_id")).toBe(Number(qrId));
    expect(clockReads).toBe(1);
    expect(statements.filter((text) => /youzan_settings/.test(text))).toHaveLength(1);
    expect(statements.filter((text) => /youzan_qr_codes/.test(text))).toHaveLength(1);
    expect(statements).toHaveLength(4);
    // Not the QR code's image (a ~3 KB data URL): no trade view shows it.
    expect(statements.filter((text) => /"qr_code"/.test(text))).toEqual([]);
    // The call's record carries the call's time.
    const [call] = await h
      .db()
      .select()
      .from(youzanSandboxCalls)
      .orderBy(desc(youzanSandboxCalls.id))
      .limit(1);
    expect(call).toMatchObject({ api: "youzan.trade.get", outcome: "ok" });
    expect(call!.createdAt.getTime()).toBe(h.now());
  });

  it("3.0.0: the legacy response.trade with trade.qr_id", async () => {
    const qrId = await createQr();
    const { tid } = await h.sandbox.pay({ qrId });
    const { json } = await authed(["youzan.trade.get", "3.0.0"], { tid });
    expect(Object.keys(json)).toEqual(["response"]);
    expect(at(json, "response.trade")).toMatchObject({
      tid,
      qr_id: Number(qrId),
      payment: "9.90",
      status: "TRADE_PAID",
    });
  });

  it("an unknown trade: 5000 with an empty skeleton (4.x), error_response 50000 (3.0.0)", async () => {
    const token = await issueToken();
    const v4 = await api(
      ["youzan.trade.get", "4.0.2"],
      { tid: "E20260301100000123456789" },
      { token },
    );
    expect(v4.json).toMatchObject({ code: 5000, success: false, message: "trade not found" });
    expect(at(v4.json, "data.full_order_info")).toBeDefined();
    expect(at(v4.json, "data.qr_info")).toBeUndefined();
    const v3 = await api(
      ["youzan.trade.get", "3.0.0"],
      { tid: "E20260301100000123456789" },
      { token },
    );
    expect(v3.json).toEqual({ error_response: { code: 50000, msg: "trade not found" } });
    // A missing tid is a missing parameter (53002, spec §2.4), not an unknown trade.
    const missing = await api(["youzan.trade.get", "4.0.2"], {}, { token });
    expect(missing.json).toMatchObject({ success: false, code: 53002 });
  });

  it("tradeVisibleAfterSeconds: the push arrives while trade.get and qr.get do not show the trade", async () => {
    const qrId = await createQr();
    await h.sandbox.setFaults({ tradeVisibleAfterSeconds: 30 });
    const { tid } = await h.sandbox.pay({ qrId });
    await h.sandbox.tick();
    expect(h.types()).toContain("trade_TradePaid");
    const token = await issueToken();
    expect(at((await api(["youzan.trade.get", "4.0.2"], { tid }, { token })).json, "code")).toBe(
      5000,
    );
    expect(
      at(
        (await api(["youzan.trades.qr.get", "3.0.0"], { qr_id: qrId }, { token })).json,
        "response.total_results",
      ),
    ).toBe(0);
    advance(30);
    expect(at((await api(["youzan.trade.get", "4.0.2"], { tid }, { token })).json, "success")).toBe(
      true,
    );
    expect(
      at(
        (
          await api(
            ["youzan.trades.qr.get", "3.0.0"],
            { qr_id: qrId, status: "TRADE_RECEIVED" },
            { token },
          )
        ).json,
        "response.total_results",
      ),
    ).toBe(1);
  });
});

describe("expiry", () => {
  it("an unpaid trade closes 30 minutes after the scan, with a close push; it cannot be paid", async () => {
    const qrId = await createQr();
    const { tid } = await h.sandbox.scan(qrId);
    await h.sandbox.tick();
    expect(h.types()).toEqual(["trade_TradeCreate"]);

    advance(30 * 60 - 1);
    expect(await h.sandbox.tick()).toMatchObject({ closed: 0 });
    advance(1);
    // Views derive the state from the clock even before tick() has run.
    const token = await issueToken();
    const before = await api(["youzan.trade.get", "4.0.2"], { tid }, { token });
    expect(at(before.json, "data.full_order_info.order_info")).toMatchObject({
      status: "TRADE_CLOSED",
      close_type: 1,
    });

    expect(await h.sandbox.tick()).toMatchObject({ closed: 1, delivered: 1 });
    expect(await h.sandbox.tick()).toMatchObject({ closed: 0, delivered: 0 });
    const close = h.received[1]!;
    expect(close.body).toMatchObject({ type: "trade_TradeClose", status: "TRADE_CLOSED", id: tid });
    expect(decodeForm(String(close.body.msg))).toEqual({
      tid,
      close_type: 1,
      close_reason: expect.any(String),
      update_time: "2026-03-01 10:30:00",
    });
    // The qr.get row has its own, longer clock (see "the qr.get row…" below).
    const row = at(
      (await api(["youzan.trades.qr.get", "3.0.0"], { qr_id: qrId }, { token })).json,
      "response.qr_trades.0.status",
    );
    expect(row).toBe("WAIT_RECEIVED");

    await expect(h.sandbox.pay({ qrId, tid })).rejects.toMatchObject({ status: 409 });
    // Paying the code again is a new scan.
    const again = await h.sandbox.pay({ qrId });
    expect(again.tid).not.toBe(tid);
  });

  it("the qr.get row of an unpaid scan stays listed as WAIT_RECEIVED for 48 h, then TRADE_EXPIRED", async () => {
    const qrId = await createQr();
    const { tid } = await h.sandbox.scan(qrId);
    const token = await issueToken();
    const row = async () =>
      at(
        (await api(["youzan.trades.qr.get", "3.0.0"], { qr_id: qrId }, { token })).json,
        "response.qr_trades.0",
      ) as Json;
    const orderStatus = async () =>
      at(
        (await api(["youzan.trade.get", "4.0.2"], { tid }, { token })).json,
        "data.full_order_info.order_info.status",
      );

    advance(31 * 60);
    await h.sandbox.tick();
    expect(await orderStatus()).toBe("TRADE_CLOSED");
    expect(await row()).toMatchObject({ tid, status: "WAIT_RECEIVED", pay_date: "" });
    const waiting = await api(
      ["youzan.trades.qr.get", "3.0.0"],
      { qr_id: qrId, status: "WAIT_RECEIVED" },
      { token },
    );
    expect(at(waiting.json, "response.total_results")).toBe(1);

    advance(48 * 3600 - 31 * 60 - 1);
    expect((await row()).status).toBe("WAIT_RECEIVED");
    advance(1);
    // Derived from the clock before tick(), and the same after it.
    expect((await row()).status).toBe("TRADE_EXPIRED");
    const pushesBefore = h.received.length;
    await h.sandbox.tick();
    expect((await row()).status).toBe("TRADE_EXPIRED");
    expect(await orderStatus()).toBe("TRADE_CLOSED");
    // Youzan sends no message for a row that expires.
    expect(h.received).toHaveLength(pushesBefore);
    const expired = await api(
      ["youzan.trades.qr.get", "3.0.0"],
      { qr_id: qrId, status: "TRADE_EXPIRED" },
      { token },
    );
    expect(at(expired.json, "response.total_results")).toBe(1);
  });
});
