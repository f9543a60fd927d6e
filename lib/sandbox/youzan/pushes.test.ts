import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DEFAULT_FAULTS } from "./faults";
import { planPushes, serializePushBody, signsHeaders, type TradeEvent } from "./pushes";
import type { YouzanFaults } from "./types";
import type { QrRow, TradeRow } from "./views";

const T0 = new Date("2026-03-01T02:00:00Z");
const APP = { clientId: "cid", clientSecret: "secret", kdtId: "55667788" };

const qr: QrRow = {
  qrId: 1_000_001,
  kdtId: APP.kdtId,
  qrType: "QR_TYPE_DYNAMIC",
  qrName: "电子书",
  qrPriceFen: 990,
  qrSource: null,
  labelIds: null,
  qrUrl: "http://x/pay?qr_id=1000001",
  qrCode: "",
  createdAt: T0,
};
const created: TradeRow = {
  tid: "E20260301100000123456789",
  qrId: qr.qrId,
  kdtId: APP.kdtId,
  status: "WAIT_RECEIVED",
  orderStatus: "WAIT_BUYER_PAY",
  closeType: 0,
  realPriceFen: null,
  payType: null,
  payerNick: null,
  createdAt: T0,
  paidAt: null,
  successAt: null,
  closedAt: null,
  expiresAt: new Date(T0.getTime() + 1_800_000),
  visibleAt: T0,
};
const paid: TradeRow = {
  ...created,
  status: "TRADE_RECEIVED",
  orderStatus: "TRADE_PAID",
  realPriceFen: 990,
  payType: "WXPAY",
  payerNick: "小明",
  paidAt: T0,
  successAt: new Date(T0.getTime() + 1000),
};
const events: TradeEvent[] = [
  { kind: "create", at: T0, qr, trade: created },
  { kind: "paid", at: T0, qr, trade: paid },
  { kind: "success", at: new Date(T0.getTime() + 1000), qr, trade: paid },
];

let counter = 0;
const ids = () => `00000000-0000-4000-8000-${String(++counter).padStart(12, "0")}`;
const plan = (faults: Partial<YouzanFaults> = {}, list = events) =>
  planPushes(APP, list, { ...DEFAULT_FAULTS, ...faults }, T0, ids);

describe("planPushes", () => {
  it("V3 by default: create, paid now; success one second later", () => {
    const planned = plan();
    expect(
      planned.map((p) => [p.type, p.payload.status, p.dueAt.getTime() - T0.getTime()]),
    ).toEqual([
      ["trade_TradeCreate", "WAIT_BUYER_PAY", 0],
      ["trade_TradePaid", "TRADE_PAID", 0],
      ["trade_TradeSuccess", "TRADE_SUCCESS", 1000],
    ]);
    expect(planned.every((p) => p.status === "pending" && p.sendCount === 0)).toBe(true);
    expect(new Set(planned.map((p) => p.msgId)).size).toBe(3);
    const paidPush = planned[1]!.payload;
    expect(paidPush).toMatchObject({
      client_id: "cid",
      id: created.tid,
      kdt_id: 55667788,
      mode: 1,
    });
    expect(paidPush.version).toBe(T0.getTime() / 1000);
    expect(paidPush.sign).toBe(createHash("md5").update(`cid${paidPush.msg}secret`).digest("hex"));
  });

  it("status style PAID and both subscriptions", () => {
    const planned = plan({ pushStatusStyle: "PAID", subscription: "both" });
    expect(planned.map((p) => `${p.type}/${p.payload.status}`)).toEqual([
      "TRADE_ORDER_STATE/WAIT_BUYER_PAY",
      "trade_TradeCreate/WAIT_BUYER_PAY",
      "trade_TradePaid/PAID",
      "TRADE_ORDER_STATE/TRADE_SUCCESS",
      "trade_TradeSuccess/TRADE_SUCCESS",
    ]);
    expect(
      planned.filter((p) => p.type === "TRADE_ORDER_STATE").every((p) => p.msgId === null),
    ).toBe(true);
  });

  it("out of order: the same due instants, handed out back to front", () => {
    const planned = plan({ pushOutOfOrder: true });
    expect(planned.map((p) => [p.type, p.dueAt.getTime() - T0.getTime()])).toEqual([
      ["trade_TradeSuccess", 0],
      ["trade_TradePaid", 0],
      ["trade_TradeCreate", 1000],
    ]);
  });

  it("duplicates share the msg_id with rising sendCount; lost pushes are never pending", () => {
    const dupes = plan({ pushDuplicates: 2 }, events.slice(0, 1));
    expect(dupes.map((p) => p.sendCount)).toEqual([0, 1, 2]);
    expect(new Set(dupes.map((p) => p.msgId)).size).toBe(1);
    expect(plan({ pushLost: true }).every((p) => p.status === "lost")).toBe(true);
  });
});

const V3_KEYS = [
  "client_id",
  "id",
  "kdt_id",
  "kdt_name",
  "root_kdt_id",
  "mode",
  "type",
  "status",
  "msg",
  "msg_id",
  "sign",
  "version",
  "sendCount",
  "test",
];

describe("serializePushBody", () => {
  it("fixed key order, sendCount per attempt, no msg_id for V2", () => {
    const [v2, v3] = plan({ subscription: "both" }, events.slice(0, 1));
    const body = JSON.parse(serializePushBody(v3!.payload, 3)) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(V3_KEYS);
    expect(body).toMatchObject({ sendCount: 3, test: false });
    expect(JSON.parse(serializePushBody(v2!.payload, 0))).not.toHaveProperty("msg_id");
  });

  it("V2 bodies are the legacy shape: no root_kdt_id, signed in the body only", () => {
    const [v2, v3] = plan({ subscription: "both" }, events.slice(0, 1));
    const body = JSON.parse(serializePushBody(v2!.payload, 0)) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(
      V3_KEYS.filter((key) => key !== "root_kdt_id" && key !== "msg_id"),
    );
    expect(signsHeaders(v2!.payload)).toBe(false);
    expect(signsHeaders(v3!.payload)).toBe(true);
  });
});
