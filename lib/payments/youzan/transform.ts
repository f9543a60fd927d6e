import "server-only";
import { z } from "zod";
import { MoneyError, yuanToFen } from "@/lib/money";
import { unexpectedPayload } from "./errors";
import type { CreatedQr, QrTrade, TradeDetail } from "./types";

/**
 * Pure functions from Youzan payloads (already unwrapped from their envelope) to domain values.
 * Youzan drifts in types (`qr_id` number or string, `""` for "none", numbers for strings), so
 * every leaf is read as `unknown` and narrowed here. Amounts are strict — a price we cannot read
 * fails the call — while descriptive fields (nick, pay type, dates) degrade to null.
 */

/** `qr_id`/`kdt_id`-like ids: numbers and non-empty strings become strings; 0 and `""` are none. */
export function idOrNull(value: unknown): string | null {
  if (typeof value === "number") {
    return Number.isSafeInteger(value) && value > 0 ? String(value) : null;
  }
  if (typeof value === "string") {
    const text = value.trim();
    return text === "" || text === "0" ? null : text;
  }
  return null;
}

/** Text fields where `""` means absent (pay_type, payer_nick while unpaid). */
function textOrNull(value: unknown): string | null {
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value !== "string") return null;
  const text = value.trim();
  return text === "" ? null : text;
}

/** A yuan amount (`"260.00"`, drifted to `260` or `9.9`) in fen; `""`/absent → null. */
function fenOrNull(value: unknown, field: string, context: string): number | null {
  if (value === undefined || value === null) return null;
  const text =
    typeof value === "string" ? value.trim() : typeof value === "number" ? String(value) : null;
  if (text === null) throw unexpectedPayload(context, `${field} is not an amount`);
  if (text === "") return null;
  try {
    return yuanToFen(text);
  } catch (error) {
    if (error instanceof MoneyError) {
      throw unexpectedPayload(context, `${field} is not a yuan amount: ${JSON.stringify(text)}`);
    }
    throw error;
  }
}

// Also accepts `+` (a date that went through decodeURIComponent instead of a form decoder) and `T`.
const CHINA_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T+](\d{2}):(\d{2}):(\d{2})$/;
const CHINA_OFFSET_HOURS = 8;

/**
 * `yyyy-MM-dd HH:mm:ss` in China time (UTC+8, no daylight saving) → the instant. Epoch numbers
 * (ms, or seconds below 1e11) are accepted too. `""`, `0000-00-00 …` and anything unreadable → null.
 */
export function parseChinaTime(value: unknown): Date | null {
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value <= 0) return null;
    return new Date(value < 1e11 ? value * 1000 : value);
  }
  if (typeof value !== "string") return null;
  const match = CHINA_TIME.exec(value.trim());
  if (!match) return null;
  const [y, mo, d, h, mi, s] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const instant = new Date(Date.UTC(y, mo - 1, d, h - CHINA_OFFSET_HOURS, mi, s));
  // Reject what Date.UTC would silently roll over (2021-02-30, 25:00, year 0000).
  const local = new Date(instant.getTime() + CHINA_OFFSET_HOURS * 3600_000);
  const roundTrips =
    local.getUTCFullYear() === y &&
    local.getUTCMonth() === mo - 1 &&
    local.getUTCDate() === d &&
    local.getUTCHours() === h &&
    local.getUTCMinutes() === mi &&
    local.getUTCSeconds() === s;
  return roundTrips && y >= 1970 ? instant : null;
}

/** Some callers hand over the whole body; unwrap `data`/`response` when `key` is not on top. */
function unwrap(raw: unknown, key: string): unknown {
  if (typeof raw !== "object" || raw === null || key in raw) return raw;
  for (const wrapper of ["data", "response"]) {
    if (wrapper in raw) {
      const inner = (raw as Record<string, unknown>)[wrapper];
      if (typeof inner === "object" && inner !== null && key in inner) return inner;
    }
  }
  return raw;
}

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
}

// --- youzan.pay.qrcode.create 3.0.0 -------------------------------------------------------------

const createdQrSchema = z.looseObject({
  qr_id: z.unknown().optional(),
  qr_url: z.string().trim().min(1),
  qr_code: z.unknown().optional(),
});

export function toCreatedQr(raw: unknown): CreatedQr {
  const context = "youzan.pay.qrcode.create";
  const parsed = createdQrSchema.safeParse(unwrap(raw, "qr_id"));
  if (!parsed.success) throw unexpectedPayload(context, describe(parsed.error));
  const qrId = idOrNull(parsed.data.qr_id);
  if (!qrId) throw unexpectedPayload(context, "qr_id missing");
  const image = parsed.data.qr_code;
  return {
    qrId,
    qrUrl: parsed.data.qr_url,
    qrImage: typeof image === "string" && image.startsWith("data:image/") ? image : null,
  };
}

// --- youzan.trades.qr.get 3.0.0 -----------------------------------------------------------------

const qrTradesSchema = z.looseObject({ qr_trades: z.array(z.unknown()).nullish() });

const qrTradeRowSchema = z.looseObject({
  tid: z.union([z.string(), z.number()]).transform(String).pipe(z.string().trim().min(1)),
  qr_id: z.unknown().optional(),
  status: z.string().trim().min(1),
  real_price: z.unknown().optional(),
  qr_price: z.unknown().optional(),
  pay_type: z.unknown().optional(),
  payer_nick: z.unknown().optional(),
  pay_date: z.unknown().optional(),
  created_date: z.unknown().optional(),
  book_date: z.unknown().optional(),
});

/**
 * `{qr_trades:[…], total_results}` → rows, newest first. `qrId` is used for rows that lack
 * their own `qr_id` (the caller asked for one QR code).
 */
export function toQrTrades(raw: unknown, defaults: { qrId?: string } = {}): QrTrade[] {
  const context = "youzan.trades.qr.get";
  const list = qrTradesSchema.safeParse(unwrap(raw, "qr_trades"));
  if (!list.success) throw unexpectedPayload(context, describe(list.error));
  const trades = (list.data.qr_trades ?? []).map((value, index): QrTrade => {
    const row = qrTradeRowSchema.safeParse(value);
    if (!row.success)
      throw unexpectedPayload(context, `qr_trades[${index}]: ${describe(row.error)}`);
    const r = row.data;
    const qrId = idOrNull(r.qr_id) ?? defaults.qrId;
    if (!qrId) throw unexpectedPayload(context, `qr_trades[${index}]: qr_id missing`);
    return {
      tid: r.tid,
      qrId,
      status: r.status,
      realPriceFen: fenOrNull(r.real_price, `qr_trades[${index}].real_price`, context),
      qrPriceFen: fenOrNull(r.qr_price, `qr_trades[${index}].qr_price`, context),
      payType: textOrNull(r.pay_type),
      payerNick: textOrNull(r.payer_nick),
      paidAt: parseChinaTime(r.pay_date),
      createdAt: parseChinaTime(r.created_date) ?? parseChinaTime(r.book_date),
    };
  });
  // The API sorts newest first; keep that promise even if a page comes back in another order.
  const time = (t: QrTrade) => t.createdAt?.getTime() ?? -Infinity;
  return trades.sort((a, b) => time(b) - time(a));
}

// --- youzan.trade.get 3.0.0 / 4.x ---------------------------------------------------------------

const qrInfoSchema = z.looseObject({ qr_id: z.unknown().optional() });

const tradeV4Schema = z.looseObject({
  full_order_info: z
    .looseObject({
      order_info: z
        .looseObject({
          tid: z.unknown().optional(),
          status: z.unknown().optional(),
          pay_time: z.unknown().optional(),
        })
        .nullish(),
      pay_info: z.looseObject({ payment: z.unknown().optional() }).nullish(),
      qr_info: qrInfoSchema.nullish(),
    })
    .nullish(),
  qr_info: qrInfoSchema.nullish(),
});

const tradeV3Schema = z.looseObject({
  trade: z
    .looseObject({
      tid: z.unknown().optional(),
      status: z.unknown().optional(),
      payment: z.unknown().optional(),
      qr_id: z.unknown().optional(),
      pay_time: z.unknown().optional(),
    })
    .nullish(),
});

/**
 * `youzan.trade.get` → the parts the shop uses, or null for the "not found" skeleton (no tid).
 * 4.x: `full_order_info.order_info` + `pay_info.payment` + `qr_info.qr_id`, where `qr_info` is a
 * top-level sibling of `full_order_info` (also accepted inside it). 3.0.0: `trade.{…, qr_id}`.
 */
export function toTradeDetail(raw: unknown, version: string): TradeDetail | null {
  const context = `youzan.trade.get/${version}`;
  const legacy =
    version.startsWith("3.") || (typeof raw === "object" && raw !== null && "trade" in raw);
  let fields: { tid: unknown; status: unknown; payment: unknown; qrId: unknown; payTime: unknown };
  if (legacy) {
    const parsed = tradeV3Schema.safeParse(unwrap(raw, "trade"));
    if (!parsed.success) throw unexpectedPayload(context, describe(parsed.error));
    const t = parsed.data.trade;
    fields = {
      tid: t?.tid,
      status: t?.status,
      payment: t?.payment,
      qrId: t?.qr_id,
      payTime: t?.pay_time,
    };
  } else {
    const parsed = tradeV4Schema.safeParse(unwrap(raw, "full_order_info"));
    if (!parsed.success) throw unexpectedPayload(context, describe(parsed.error));
    const full = parsed.data.full_order_info;
    fields = {
      tid: full?.order_info?.tid,
      status: full?.order_info?.status,
      payment: full?.pay_info?.payment,
      qrId: parsed.data.qr_info?.qr_id ?? full?.qr_info?.qr_id,
      payTime: full?.order_info?.pay_time,
    };
  }
  const tid = textOrNull(fields.tid);
  if (!tid) return null;
  const status = textOrNull(fields.status);
  if (!status) throw unexpectedPayload(context, `trade ${tid} has no status`);
  return {
    tid,
    qrId: idOrNull(fields.qrId),
    status,
    paymentFen: fenOrNull(fields.payment, "payment", context),
    paidAt: parseChinaTime(fields.payTime),
  };
}
