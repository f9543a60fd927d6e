import "server-only";
import { randomUUID } from "node:crypto";
import type { JsonObject } from "./envelopes";
import { encodeMsg } from "./encoding";
import { bodySign } from "./signing";
import { epochSeconds, formatYouzanTime } from "./time";
import type { YouzanFaults } from "./types";
import {
  CLOSE_REASON_EXPIRED,
  tradeDetailV4,
  tradeStateAt,
  yuan,
  type QrRow,
  type TradeRow,
} from "./views";

/*
 * Push messages (spec §4, §6.3), built as plain data. `planPushes` turns trade events into the
 * rows to store, applying the subscription, ordering, duplicate and loss knobs; delivery
 * (delivery.ts) adds `sendCount`, serialises once and signs the exact bytes it sends.
 */

export const KDT_NAME = "小铺（有赞沙箱）";
export const V2_TRADE_TYPE = "TRADE_ORDER_STATE";

export type TradeEventKind = "create" | "paid" | "success" | "close";

/** One state change of a trade; `trade` is the row as it is right after the change. */
export interface TradeEvent {
  kind: TradeEventKind;
  at: Date;
  qr: QrRow;
  trade: TradeRow;
}

/** The body of a push without `sendCount` (which changes per attempt). */
export interface PushPayload {
  client_id: string;
  id: string;
  kdt_id: number | string;
  kdt_name: string;
  /** 2021 (V3-era) bodies only; the legacy V2 bodies predate it (spec §4.2). */
  root_kdt_id?: number | string;
  mode: 1;
  type: string;
  status: string;
  msg: string;
  msg_id?: string;
  sign: string;
  version: number;
  test: false;
}

export interface PushApp {
  clientId: string;
  clientSecret: string;
  kdtId: string;
}

export interface PlannedPush {
  type: string;
  tid: string;
  msgId: string | null;
  payload: PushPayload;
  status: "pending" | "lost";
  sendCount: number;
  dueAt: Date;
}

type PushFaults = Pick<
  YouzanFaults,
  | "subscription"
  | "pushStatusStyle"
  | "msgEncoding"
  | "pushLost"
  | "pushDuplicates"
  | "pushOutOfOrder"
>;

/** Shop ids are numbers in captured bodies; a non-numeric configured id is sent as it is. */
function shopId(kdtId: string): number | string {
  return /^\d{1,15}$/.test(kdtId) ? Number(kdtId) : kdtId;
}

interface Message {
  type: string;
  status: string;
  msg: JsonObject;
  v3: boolean;
}

function v3Message(event: TradeEvent, faults: PushFaults): Message {
  const { trade, at } = event;
  switch (event.kind) {
    case "create":
      return {
        type: "trade_TradeCreate",
        status: "WAIT_BUYER_PAY",
        msg: tradeDetailV4(event.qr, trade, at),
        v3: true,
      };
    case "paid":
      return {
        type: "trade_TradePaid",
        status: faults.pushStatusStyle,
        msg: tradeDetailV4(event.qr, trade, at),
        v3: true,
      };
    case "success":
      return {
        type: "trade_TradeSuccess",
        status: "TRADE_SUCCESS",
        msg: { tid: trade.tid, update_time: formatYouzanTime(at) },
        v3: true,
      };
    case "close":
      return {
        type: "trade_TradeClose",
        status: "TRADE_CLOSED",
        msg: {
          tid: trade.tid,
          close_type: tradeStateAt(trade, at).closeType,
          close_reason: CLOSE_REASON_EXPIRED,
          update_time: formatYouzanTime(at),
        },
        v3: true,
      };
  }
}

/** V2 `TRADE_ORDER_STATE`; none for "paid" (V2 reports the payment as TRADE_SUCCESS). */
function v2Message(event: TradeEvent): Message | null {
  if (event.kind === "paid") return null;
  const state = tradeStateAt(event.trade, event.at);
  const status = { create: "WAIT_BUYER_PAY", success: "TRADE_SUCCESS", close: "TRADE_CLOSED" }[
    event.kind
  ];
  const paymentFen = state.paidAt
    ? (event.trade.realPriceFen ?? event.qr.qrPriceFen)
    : event.qr.qrPriceFen;
  return {
    type: V2_TRADE_TYPE,
    status,
    msg: {
      tid: event.trade.tid,
      status,
      payment: yuan(paymentFen),
      update_time: formatYouzanTime(event.at),
    },
    v3: false,
  };
}

export function buildPayload(
  app: PushApp,
  message: Message,
  tid: string,
  at: Date,
  encoding: YouzanFaults["msgEncoding"],
  msgId: string | null,
): PushPayload {
  const msg = encodeMsg(JSON.stringify(message.msg), encoding);
  return {
    client_id: app.clientId,
    id: tid,
    kdt_id: shopId(app.kdtId),
    kdt_name: KDT_NAME,
    ...(message.v3 ? { root_kdt_id: shopId(app.kdtId) } : {}),
    mode: 1,
    type: message.type,
    status: message.status,
    msg,
    ...(msgId ? { msg_id: msgId } : {}),
    sign: bodySign(app.clientId, msg, app.clientSecret),
    version: epochSeconds(at),
    test: false,
  };
}

/**
 * The rows to store for a batch of events of one action, in delivery order. Each is due at its
 * event time (never before `now`). Out of order: the batch is delivered back to front on the
 * same due instants, so e.g. trade_TradeSuccess arrives before trade_TradePaid.
 */
export function planPushes(
  app: PushApp,
  events: TradeEvent[],
  faults: PushFaults,
  now: Date,
  newMsgId: () => string = randomUUID,
): PlannedPush[] {
  const wantV2 = faults.subscription !== "v3";
  const wantV3 = faults.subscription !== "v2";
  const base: { message: Message; event: TradeEvent; dueAt: Date }[] = [];
  for (const event of events) {
    const dueAt = new Date(Math.max(event.at.getTime(), now.getTime()));
    const v2 = wantV2 ? v2Message(event) : null;
    if (v2) base.push({ message: v2, event, dueAt });
    if (wantV3) base.push({ message: v3Message(event, faults), event, dueAt });
  }
  const dueTimes = base.map((entry) => entry.dueAt).sort((a, b) => a.getTime() - b.getTime());
  const ordered = faults.pushOutOfOrder
    ? [...base].reverse().map((entry, i) => ({ ...entry, dueAt: dueTimes[i] ?? entry.dueAt }))
    : base;

  const planned: PlannedPush[] = [];
  for (const { message, event, dueAt } of ordered) {
    const msgId = message.v3 ? newMsgId() : null;
    const payload = buildPayload(
      app,
      message,
      event.trade.tid,
      event.at,
      faults.msgEncoding,
      msgId,
    );
    for (let copy = 0; copy <= faults.pushDuplicates; copy++) {
      planned.push({
        type: message.type,
        tid: event.trade.tid,
        msgId,
        payload,
        status: faults.pushLost ? "lost" : "pending",
        // Duplicates are re-pushes of the same message: same msg_id, rising sendCount.
        sendCount: copy,
        dueAt,
      });
    }
  }
  return planned;
}

/**
 * V2 (`TRADE_ORDER_STATE`) pushes come from before the header scheme: they are signed in the
 * body only, so receivers exercise the legacy `sign` check (spec §4.3).
 */
export function signsHeaders(payload: Pick<PushPayload, "type">): boolean {
  return payload.type !== V2_TRADE_TYPE;
}

/** The exact JSON text sent: a fixed key order, `sendCount` for this attempt. */
export function serializePushBody(payload: PushPayload, sendCount: number): string {
  const body: Record<string, unknown> = {
    client_id: payload.client_id,
    id: payload.id,
    kdt_id: payload.kdt_id,
    kdt_name: payload.kdt_name,
    ...(payload.root_kdt_id !== undefined ? { root_kdt_id: payload.root_kdt_id } : {}),
    mode: payload.mode,
    type: payload.type,
    status: payload.status,
    msg: payload.msg,
    ...(payload.msg_id ? { msg_id: payload.msg_id } : {}),
    sign: payload.sign,
    version: payload.version,
    sendCount,
    test: payload.test,
  };
  return JSON.stringify(body);
}
