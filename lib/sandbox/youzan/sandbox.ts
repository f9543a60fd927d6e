import "server-only";
import { and, asc, count, eq, isNotNull, sql } from "drizzle-orm";
import { statement, type Slots } from "@/db/statement";
import {
  youzanSandboxCalls as calls,
  youzanSandboxPushes as pushes,
  youzanSandboxTokens as tokens,
} from "@/db/schema";
import { moduleLogger } from "@/lib/logger";
import type { SandboxContext } from "./context";
import { deliverDuePushes, sendHeartbeat } from "./delivery";
import { SandboxError } from "./errors";
import { parseFaultsPatch } from "./faults";
import { handleGateway } from "./gateway";
import { PUSH_TIMEOUT_MS } from "./retry";
import { mergeFaults, readSettings, writePushUrl } from "./settings";
import { tokenEndpoint } from "./token-endpoint";
import { revokeAllTokens } from "./tokens";
import { closeDueTrades, findQr, hasPaidTrade, parseQrId, payQr, scanQr } from "./trades";
import { httpsRedirect } from "./transport";
import type { TickResult, YouzanSandbox, YouzanSandboxOptions } from "./types";

const log = moduleLogger("youzan-sandbox");

const QR_LIST_API = "youzan.trades.qr.get";

const SANDBOX_TABLES = [
  "youzan_api_calls",
  "youzan_pushes",
  "youzan_trades",
  "youzan_qr_codes",
  "youzan_tokens",
  "youzan_settings",
].map((name) => `"sandbox"."${name}"`);

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A sandbox over the given database. It holds no state of its own — everything lives in the
 * `sandbox` schema — so building one per request is cheap and any number of instances (routes,
 * pages, the ticker, other processes) agree.
 */
/** Every gateway call's record, built once (db/statement.ts). */
const insertCall = statement(
  (
    db,
    slot: Slots<{
      api: string;
      version: string;
      qrId: string | null;
      outcome: string;
      createdAt: Date;
    }>,
  ) =>
    db.insert(calls).values({
      api: slot.api,
      version: slot.version,
      qrId: slot.qrId,
      outcome: slot.outcome,
      createdAt: slot.createdAt,
    }),
);

export function createYouzanSandbox(options: YouzanSandboxOptions): YouzanSandbox {
  const ctx: SandboxContext = {
    db: options.db,
    clock: options.clock,
    app: { ...options.app },
    publicBaseUrl: options.publicBaseUrl.replace(/\/+$/, ""),
    pushUrl: options.pushUrl,
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    pushTimeoutMs: options.pushTimeoutMs ?? PUSH_TIMEOUT_MS,
  };
  const db = ctx.db;
  const sleep = options.sleep ?? realSleep;

  async function runTick(): Promise<TickResult> {
    const now = await ctx.clock.now();
    const closed = await closeDueTrades(ctx, now);
    const { delivered, failed } = await deliverDuePushes(ctx, now);
    return { delivered, failed, closed };
  }

  /**
   * Pushes reach the shop promptly without making the payer (or the caller) wait for them,
   * when somebody keeps the work alive; otherwise the ticker or tick() delivers them.
   */
  function deliverInBackground(): void {
    options.background?.(() =>
      runTick().catch((error: unknown) => {
        log.warn({ err: error }, "background push delivery failed");
      }),
    );
  }

  async function slow(): Promise<void> {
    const { faults } = await readSettings(db);
    if (faults.slowMs > 0) await sleep(faults.slowMs);
  }

  return {
    async handleToken(request) {
      const url = new URL(request.url);
      if (url.protocol === "http:" && (await readSettings(db)).faults.httpRedirect) {
        await slow();
        return httpsRedirect(url);
      }
      const now = await ctx.clock.now();
      const body = await tokenEndpoint({ db, now, app: ctx.app }, request);
      await slow();
      return Response.json(body);
    },

    async handleApi(request, path) {
      const result = await handleGateway(ctx, request, path);
      // Path segments and qr_id come from the caller: cap what is stored.
      await insertCall.run(db, {
        api: result.api.slice(0, 200),
        version: result.version.slice(0, 50),
        qrId: result.qrId?.slice(0, 64) ?? null,
        outcome: result.outcome,
        createdAt: result.now,
      });
      // The faults the call was answered under: one read of the settings a call.
      if (result.slowMs > 0) await sleep(result.slowMs);
      return result.response;
    },

    async getQr(qrIdText) {
      const qrId = parseQrId(qrIdText);
      const qr = qrId === null ? undefined : await findQr(db, qrId);
      if (!qr) return null;
      return {
        qrId: String(qr.qrId),
        name: qr.qrName,
        priceFen: qr.qrPriceFen,
        qrType: qr.qrType,
        paid: await hasPaidTrade(db, qr.qrId),
      };
    },

    async scan(qrId) {
      const result = await scanQr(ctx, qrId);
      deliverInBackground();
      return result;
    },

    async pay(input) {
      if (typeof input !== "object" || input === null || typeof input.qrId !== "string") {
        throw new SandboxError(400, "pay needs a qrId string");
      }
      const result = await payQr(ctx, input);
      deliverInBackground();
      return result;
    },

    async getFaults() {
      return (await readSettings(db)).faults;
    },

    async setFaults(patch) {
      return mergeFaults(db, parseFaultsPatch(patch));
    },

    async setPushUrl(url) {
      if (url !== null) {
        let parsed: URL | null = null;
        try {
          parsed = new URL(url);
        } catch {
          parsed = null;
        }
        if (!parsed || !/^https?:$/.test(parsed.protocol)) {
          throw new SandboxError(400, "the push URL must be an absolute http(s) URL");
        }
      }
      await writePushUrl(db, url);
    },

    async heartbeat() {
      const { ok, result } = await sendHeartbeat(ctx);
      return { delivered: ok, result };
    },

    async revokeTokens() {
      await revokeAllTokens(db, await ctx.clock.now());
    },

    tick: runTick,

    async stats() {
      const [byApi, byQr, [issued], pushRows] = await Promise.all([
        db.select({ api: calls.api, n: count() }).from(calls).groupBy(calls.api),
        db
          .select({ qrId: calls.qrId, n: count() })
          .from(calls)
          .where(and(eq(calls.api, QR_LIST_API), isNotNull(calls.qrId)))
          .groupBy(calls.qrId),
        db.select({ n: count() }).from(tokens),
        db
          .select({
            id: pushes.id,
            type: pushes.type,
            tid: pushes.tid,
            msgId: pushes.msgId,
            status: pushes.status,
            sendCount: pushes.sendCount,
            lastResult: pushes.lastResult,
          })
          .from(pushes)
          .orderBy(asc(pushes.id)),
      ]);
      return {
        apiCalls: Object.fromEntries(byApi.map((row) => [row.api, row.n])),
        apiCallsByQr: Object.fromEntries(byQr.map((row) => [row.qrId ?? "", row.n])),
        tokensIssued: issued?.n ?? 0,
        pushes: pushRows,
      };
    },

    async reset() {
      await db.execute(sql.raw(`TRUNCATE ${SANDBOX_TABLES.join(", ")} RESTART IDENTITY`));
    },
  };
}
