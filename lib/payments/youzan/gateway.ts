import "server-only";
import { createYouzanClient, type YouzanClient, type YouzanClientDeps } from "./client";
import { toCreatedQr, toQrTrades, toTradeDetail } from "./transform";
import { isYouzanError, YouzanError, type YouzanConfig, type YouzanGateway } from "./types";

export const QRCODE_CREATE = { api: "youzan.pay.qrcode.create", version: "3.0.0" } as const;
export const TRADES_QR_GET = { api: "youzan.trades.qr.get", version: "3.0.0" } as const;
export const TRADE_GET = { api: "youzan.trade.get", version: "4.0.2" } as const;

/** `qr_id` is documented as a Number: send numeric ids as numbers, anything else as given. */
function qrIdParam(qrId: string): number | string {
  const n = Number(qrId);
  return /^\d+$/.test(qrId) && Number.isSafeInteger(n) ? n : qrId;
}

/** The port implementation over the raw client. `client` is injectable for tests and reuse. */
export function createYouzanGateway(
  config: YouzanConfig,
  deps: YouzanClientDeps & { client?: YouzanClient } = {},
): YouzanGateway {
  const client = deps.client ?? createYouzanClient(config, deps);

  return {
    async createDynamicQr({ name, amountFen, source }) {
      if (!Number.isSafeInteger(amountFen) || amountFen <= 0) {
        throw new YouzanError(
          "invalid_request",
          `amountFen must be a positive integer, got ${amountFen}`,
          false,
        );
      }
      if (name.trim() === "") {
        throw new YouzanError("invalid_request", "a QR code needs a name (qr_name)", false);
      }
      const raw = await client.call(QRCODE_CREATE.api, QRCODE_CREATE.version, {
        qr_type: "QR_TYPE_DYNAMIC",
        qr_price: String(amountFen), // fen, as a string of digits (spec §3.1)
        qr_name: name,
        qr_source: source,
      });
      return toCreatedQr(raw);
    },

    async listReceivedTrades(qrId) {
      const raw = await client.call(TRADES_QR_GET.api, TRADES_QR_GET.version, {
        qr_id: qrIdParam(qrId),
        status: "TRADE_RECEIVED",
      });
      // Filtered again here: a gateway that ignored a filter must not let another QR code's
      // payment (or an unpaid row) settle this order.
      return toQrTrades(raw, { qrId }).filter(
        (t) => t.qrId === qrId && t.status === "TRADE_RECEIVED",
      );
    },

    async getTrade(tid) {
      try {
        const raw = await client.call(TRADE_GET.api, TRADE_GET.version, { tid });
        return toTradeDetail(raw, TRADE_GET.version);
      } catch (error) {
        if (isYouzanError(error) && error.code === "not_found") return null;
        throw error;
      }
    },
  };
}
