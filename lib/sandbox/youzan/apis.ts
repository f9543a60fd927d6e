import "server-only";
import { and, desc, eq, getTableColumns, gte, lte } from "drizzle-orm";
import QRCode from "qrcode";
import { youzanSandboxQrCodes, youzanSandboxTrades } from "@/db/schema";
import { statement, type Slots } from "@/db/statement";
import { isImplemented } from "./catalogue";
import type { SandboxContext } from "./context";
import type { JsonObject } from "./envelopes";
import { parseYouzanTime } from "./time";
import { findQr, parseQrId } from "./trades";
import {
  isVisible,
  numericQrType,
  QR_TRADE_STATUSES,
  QR_TYPES,
  qrCodeView,
  qrTradeRow,
  tradeDetailV3,
  tradeDetailV4,
  tradeNotFoundSkeleton,
  type QrType,
} from "./views";

/** A QR code's columns but its image (a ~3 KB data URL, shown only by `qr.get` and the pay page). */
const { qrCode: _qrCode, ...qrFactsColumns } = getTableColumns(youzanSandboxQrCodes);

/*
 * The business side of the four APIs the sandbox implements (spec §3). Handlers return the
 * success `data`/`response` object or throw a fault; gateway.ts wraps either in the envelope of
 * the API's version.
 */

/** A gateway-level refusal: answered as `gw_err_resp` whatever the API version. */
export class GatewayFault extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = "GatewayFault";
  }
}

/** A business refusal: answered in the API's own envelope (`error_response` or `success:false`). */
export class BusinessFault extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data: JsonObject | null = null,
  ) {
    super(message);
    this.name = "BusinessFault";
  }
}

/** A required parameter is missing or empty ("53002 missing or wrongly typed param", spec §2.4). */
export const MISSING_PARAM_CODE = 53002;
/** An invalid parameter value: a business error (the qr.get demo answered 50000, spec §2.4). */
export const PARAM_ERROR_CODE = 50000;
/** Wrong JSON type of a parameter ("5001 is usually a wrong param type"). */
export const PARAM_TYPE_ERROR_CODE = 5001;
export const TRADE_NOT_FOUND_V4 = 5000;
export const TRADE_NOT_FOUND_LEGACY = 50000;

const MAX_PRICE_FEN = 1_000_000_000;
const MAX_ROWS_SCANNED = 5000;

export type Params = Record<string, unknown>;

export interface ApiCall {
  ctx: SandboxContext;
  params: Params;
  version: string;
  now: Date;
}

type Handler = (call: ApiCall) => Promise<JsonObject>;

function optionalString(params: Params, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  throw new GatewayFault(PARAM_TYPE_ERROR_CODE, `系统异常：参数 ${name} 的类型不正确`);
}

function missing(name: string): BusinessFault {
  return new BusinessFault(MISSING_PARAM_CODE, `缺少必填参数 ${name}`);
}

function requiredString(params: Params, name: string): string {
  const value = optionalString(params, name);
  if (value === undefined || value.trim() === "") throw missing(name);
  return value;
}

function optionalInt(params: Params, name: string, min: number, max: number): number | undefined {
  const text = optionalString(params, name);
  if (text === undefined) return undefined;
  if (!/^\d{1,9}$/.test(text.trim())) {
    throw new GatewayFault(PARAM_TYPE_ERROR_CODE, `系统异常：参数 ${name} 必须是整数`);
  }
  const value = Number(text.trim());
  if (value < min || value > max) {
    throw new BusinessFault(PARAM_ERROR_CODE, `参数 ${name} 必须在 ${min} 到 ${max} 之间`);
  }
  return value;
}

function optionalTime(params: Params, name: string): Date | undefined {
  const text = optionalString(params, name);
  if (text === undefined) return undefined;
  const parsed = parseYouzanTime(text);
  if (!parsed) {
    throw new GatewayFault(
      PARAM_TYPE_ERROR_CODE,
      `系统异常：参数 ${name} 须为 yyyy-MM-dd HH:mm:ss 格式`,
    );
  }
  return parsed;
}

function limitedString(params: Params, name: string, maxLength: number): string | undefined {
  const value = optionalString(params, name);
  if (value !== undefined && value.length > maxLength) {
    throw new BusinessFault(PARAM_ERROR_CODE, `参数 ${name} 不能超过 ${maxLength} 个字符`);
  }
  return value;
}

/** youzan.pay.qrcode.create 3.0.0 */
const createQr: Handler = async ({ ctx, params, now }) => {
  const qrType = requiredString(params, "qr_type");
  if (!(QR_TYPES as readonly string[]).includes(qrType)) {
    throw new BusinessFault(PARAM_ERROR_CODE, `参数 qr_type 只能是 ${QR_TYPES.join(" / ")}`);
  }
  const priceText = optionalString(params, "qr_price");
  let priceFen: number | null = null;
  if (priceText !== undefined) {
    // Fen as an integer: a client that sends yuan ("9.90") is caught here.
    if (!/^\d{1,10}$/.test(priceText.trim())) {
      throw new BusinessFault(PARAM_ERROR_CODE, "参数 qr_price 必须是以分为单位的整数");
    }
    priceFen = Number(priceText.trim());
    if (priceFen < 1 || priceFen > MAX_PRICE_FEN) {
      throw new BusinessFault(
        PARAM_ERROR_CODE,
        `参数 qr_price 必须在 1 到 ${MAX_PRICE_FEN} 分之间`,
      );
    }
  }
  if (priceFen === null && (qrType as QrType) !== "QR_TYPE_FIXED_BY_PERSON") {
    throw missing("qr_price");
  }
  const qrName = requiredString(params, "qr_name");
  if (qrName.length > 100) {
    throw new BusinessFault(PARAM_ERROR_CODE, "参数 qr_name 不能超过 100 个字符");
  }
  const qrSource = limitedString(params, "qr_source", 255);
  const labelIds = limitedString(params, "label_ids", 255);

  const qr = await ctx.db.transaction(async (tx) => {
    const [inserted] = await tx
      .insert(youzanSandboxQrCodes)
      .values({
        kdtId: ctx.app.kdtId,
        qrType,
        qrName,
        qrPriceFen: priceFen,
        qrSource: qrSource ?? null,
        labelIds: labelIds ?? null,
        qrUrl: "",
        qrCode: "",
        createdAt: now,
      })
      .returning({ qrId: youzanSandboxQrCodes.qrId });
    if (!inserted) throw new Error("QR insert returned nothing");
    // A phone that scans the code opens the sandbox's "scan & pay" page.
    const qrUrl = `${ctx.publicBaseUrl}/pay?qr_id=${inserted.qrId}`;
    const qrCode = await QRCode.toDataURL(qrUrl, { width: 236, margin: 1 });
    await tx
      .update(youzanSandboxQrCodes)
      .set({ qrUrl, qrCode })
      .where(eq(youzanSandboxQrCodes.qrId, inserted.qrId));
    return { qrId: inserted.qrId, qrUrl, qrCode };
  });
  return {
    qr_id: String(qr.qrId),
    qr_url: qr.qrUrl,
    qr_code: qr.qrCode,
    qr_type: numericQrType(qrType),
  };
};

/** youzan.pay.qrcode.get 3.0.0 */
const getQrCode: Handler = async ({ ctx, params }) => {
  const qrIdText = requiredString(params, "qr_id");
  const qrId = parseQrId(qrIdText);
  const qr = qrId === null ? undefined : await findQr(ctx.db, qrId);
  if (!qr || qr.kdtId !== ctx.app.kdtId) {
    throw new BusinessFault(PARAM_ERROR_CODE, "二维码不存在");
  }
  return qrCodeView(qr);
};

/** youzan.trades.qr.get 3.0.0: one row per scan, newest first, lagging trades hidden. */
const listQrTrades: Handler = async ({ ctx, params, now }) => {
  const qrIdText = optionalString(params, "qr_id");
  const status = optionalString(params, "status");
  if (status !== undefined && !(QR_TRADE_STATUSES as readonly string[]).includes(status)) {
    throw new BusinessFault(
      PARAM_ERROR_CODE,
      `参数 status 只能是 ${QR_TRADE_STATUSES.join(" / ")}`,
    );
  }
  const startCreated = optionalTime(params, "start_created");
  const endCreated = optionalTime(params, "end_created");
  const pageNo = optionalInt(params, "page_no", 1, 100_000) ?? 1;
  const pageSize = optionalInt(params, "page_size", 1, 100) ?? 20;
  const fields = optionalString(params, "fields")
    ?.split(",")
    .map((field) => field.trim())
    .filter(Boolean);

  const qrId = qrIdText === undefined ? undefined : parseQrId(qrIdText);
  if (qrId === null) return { qr_trades: [], total_results: 0 };

  const t = youzanSandboxTrades;
  const joined = await ctx.db
    .select({ trade: t, qr: qrFactsColumns })
    .from(t)
    .innerJoin(youzanSandboxQrCodes, eq(youzanSandboxQrCodes.qrId, t.qrId))
    .where(
      and(
        eq(t.kdtId, ctx.app.kdtId),
        lte(t.visibleAt, now),
        qrId === undefined ? undefined : eq(t.qrId, qrId),
        startCreated ? gte(t.createdAt, startCreated) : undefined,
        endCreated ? lte(t.createdAt, endCreated) : undefined,
      ),
    )
    .orderBy(desc(t.createdAt), desc(t.tid))
    .limit(MAX_ROWS_SCANNED);

  const rows = joined
    .map(({ trade, qr }) => qrTradeRow(qr, trade, now))
    .filter((row) => status === undefined || row.status === status);
  const page = rows
    .slice((pageNo - 1) * pageSize, pageNo * pageSize)
    .map((row) =>
      fields && fields.length > 0
        ? Object.fromEntries(Object.entries(row).filter(([key]) => fields.includes(key)))
        : row,
    );
  return { qr_trades: page, total_results: rows.length };
};

/**
 * youzan.trade.get 3.0.0 / 4.0.0 / 4.0.2. The version decides the data (3.0.0 `trade`, 4.x
 * `full_order_info`) and the not-found code; the envelope around it is the gateway's business.
 */
/**
 * The trade and its QR code in one read, built once: this answers every push the shop gets. The
 * QR code's image is left out (qrFactsColumns): no trade view shows it.
 */
const tradeWithQr = statement((db, slot: Slots<{ tid: string; kdtId: string }>) => {
  const t = youzanSandboxTrades;
  return db
    .select({ trade: t, qr: qrFactsColumns })
    .from(t)
    .leftJoin(youzanSandboxQrCodes, eq(youzanSandboxQrCodes.qrId, t.qrId))
    .where(and(eq(t.tid, slot.tid), eq(t.kdtId, slot.kdtId)));
});

const getTrade: Handler = async ({ ctx, params, version, now }) => {
  const tid = requiredString(params, "tid");
  const [row] = await tradeWithQr.run(ctx.db, { tid, kdtId: ctx.app.kdtId });
  const trade = row?.trade;
  const qr = trade && isVisible(trade, now) ? (row.qr ?? undefined) : undefined;
  const legacy = version.startsWith("3.");
  if (!trade || !qr) {
    throw legacy
      ? new BusinessFault(TRADE_NOT_FOUND_LEGACY, "trade not found")
      : new BusinessFault(TRADE_NOT_FOUND_V4, "trade not found", tradeNotFoundSkeleton());
  }
  return legacy ? tradeDetailV3(qr, trade, now) : tradeDetailV4(qr, trade, now);
};

/** The handlers of catalogue.ts's APIs; anything else is 4005. */
const HANDLERS: Record<string, Handler> = {
  "youzan.pay.qrcode.create": createQr,
  "youzan.pay.qrcode.get": getQrCode,
  "youzan.trades.qr.get": listQrTrades,
  "youzan.trade.get": getTrade,
};

export function findApi(name: string, version: string): Handler | undefined {
  return isImplemented(name, version) && Object.hasOwn(HANDLERS, name) ? HANDLERS[name] : undefined;
}
