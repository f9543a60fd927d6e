import "server-only";
import { hasBrand } from "@/lib/errors";

/**
 * The shop's view of Youzan: domain types and the port the order code depends on. Vendor
 * shapes (envelopes, yuan strings, `qr_id` as number or string) never leave this folder.
 */

/** A short list of domain error codes; `retryable` says whether trying later can help. */
export type YouzanErrorCode =
  | "auth" // credentials refused, or a token still refused after one refresh
  | "rate_limited" // 4101 or backing off after one
  | "not_found" // trade not (yet) visible
  | "invalid_request" // our request is wrong (4001, 4004, 4005, 4007, 5001, bad params)
  | "unavailable" // timeout, network error, HTTP 5xx, unreadable body
  | "rejected"; // a business error from the API

const YOUZAN_ERROR = Symbol.for("xiaopu.YouzanError");

export class YouzanError extends Error {
  readonly [YOUZAN_ERROR] = true;

  constructor(
    readonly code: YouzanErrorCode,
    message: string,
    readonly retryable: boolean,
    readonly vendor?: { code?: number | string; message?: string },
  ) {
    super(message);
    this.name = "YouzanError";
  }
}

/**
 * A YouzanError from any copy of this module, by brand: a gateway built in one Next bundle may
 * throw into code of another, whose `YouzanError` class is a different copy (lib/errors.ts).
 */
export function isYouzanError(error: unknown): error is YouzanError {
  return hasBrand(error, YOUZAN_ERROR);
}

export interface YouzanConfig {
  /** Gateway base, e.g. https://open.youzanyun.com or http://localhost:3000/sandbox/youzan. */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** Shop id (`kdt_id`, `grant_id` of the token request). */
  kdtId: string;
  /** Per HTTP request (default 5 s, Youzan's own limit); tests pass a few milliseconds. */
  timeoutMs?: number;
}

export interface CreatedQr {
  qrId: string;
  /** What a phone opens when it scans (sandbox: the "scan & pay" page). */
  qrUrl: string;
  /** `data:image/png;base64,…` when the API returned one. */
  qrImage: string | null;
}

/** A row of `youzan.trades.qr.get`: one per scan of a QR code. */
export interface QrTrade {
  tid: string;
  qrId: string;
  status: "WAIT_RECEIVED" | "TRADE_RECEIVED" | "TRADE_EXPIRED" | string;
  /** What was actually received, in fen (null while unpaid). */
  realPriceFen: number | null;
  qrPriceFen: number | null;
  payType: string | null;
  payerNick: string | null;
  paidAt: Date | null;
  createdAt: Date | null;
}

/** The parts of `youzan.trade.get` the shop uses. */
export interface TradeDetail {
  tid: string;
  qrId: string | null;
  /** Order status: WAIT_BUYER_PAY, TRADE_PAID, TRADE_SUCCESS, TRADE_CLOSED, … */
  status: string;
  /** Paid amount in fen (`pay_info.payment`), null when absent. */
  paymentFen: number | null;
  paidAt: Date | null;
}

/** The port: everything the order code needs from Youzan. */
export interface YouzanGateway {
  createDynamicQr(input: { name: string; amountFen: number; source: string }): Promise<CreatedQr>;
  /** `youzan.trades.qr.get` with `status: TRADE_RECEIVED`, newest first. */
  listReceivedTrades(qrId: string): Promise<QrTrade[]>;
  /** `youzan.trade.get`; null when Youzan does not know the trade (yet). */
  getTrade(tid: string): Promise<TradeDetail | null>;
}

/** A push after parsing; verification and decoding happen before any of this is trusted. */
export type ParsedPush =
  | { kind: "heartbeat" }
  | {
      kind: "message";
      /** Event-Sign over the raw bytes, or the legacy body `sign`, matched. */
      signatureValid: boolean;
      /** Dedupe key: `msg_id`, else `type:kdt_id:id:version`. */
      eventKey: string;
      type: string;
      /** Business id; for trade messages the `tid`. */
      tid: string | null;
      status: string | null;
      /** Epoch seconds; a higher version supersedes a lower one. */
      version: number | null;
      clientId: string | null;
      kdtId: string | null;
      /** `qr_info.qr_id` when the message carries it (trade_TradePaid). */
      qrId: string | null;
      /** The decoded `msg` JSON (plus → space, then percent-decoding). */
      msg: unknown;
    }
  | { kind: "malformed"; reason: string };
