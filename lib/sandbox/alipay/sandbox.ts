import "server-only";
import { count, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import {
  ensureSandboxAlipayKeys,
  SANDBOX_ALIPAY_SELLER_ID,
  type SandboxAlipayKeys,
} from "@/db/queries/sandbox-alipay-keys";
import { alipaySandboxCalls as calls } from "@/db/schema";
import type { Clock } from "@/lib/clock";
import { moduleLogger } from "@/lib/logger";
import { SandboxError } from "@/lib/sandbox/youzan/errors";
import {
  findAgreement,
  listAgreements,
  setPaused,
  unsignAgreement,
  type AgreementRow,
} from "./agreements";
import type { AlipayContext } from "./context";
import {
  consumeOrderString,
  consumeSignUrl,
  readOrderString,
  readSignUrl,
  type AppPayAction,
  type AppPayOrder,
  type AppPayResult,
  type SignRequest,
} from "./consumers";
import type { AlipayFaults, FaultsPatch } from "./faults";
import { handleGateway, readGatewayParams, type GatewayPreRead } from "./gateway";
import { deliverDueNotifications, notificationSummaries } from "./notify";
import { toResponse } from "./responses";
import { NOTIFY_TIMEOUT_MS } from "./retry";
import { patchFaults, readSettings, writeAppGatewayUrl, writeBalance } from "./settings";
import { closeExpiredTrades } from "./trades";

const log = moduleLogger("alipay-sandbox");

/** Hands a task to whoever keeps it alive after the response (Next's `after()`). */
export type Background = (task: () => Promise<unknown>) => void;

export interface AlipaySandboxOptions {
  db: Db;
  clock: Clock;
  /** Default app gateway: `${APP_URL}/api/webhooks/alipay/gateway`. */
  appGatewayUrl: string;
  fetch?: typeof fetch;
  /** Real-time waits (the `slow` fault); tests inject a recorder. */
  sleep?: (ms: number) => Promise<void>;
  notifyTimeoutMs?: number;
  background?: Background;
  /** The keys, when the caller has read them already (`readRequestState`). */
  keys?: SandboxAlipayKeys;
}

export interface TickResult {
  delivered: number;
  failed: number;
  closed: number;
}

const SANDBOX_TABLES = [
  "alipay_api_calls",
  "alipay_notifications",
  "alipay_refunds",
  "alipay_trades",
  "alipay_agreements",
  "alipay_settings",
].map((name) => `"sandbox"."${name}"`);

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export type AlipaySandbox = Awaited<ReturnType<typeof createAlipaySandbox>>;

/**
 * A sandbox over the given database. It keeps no state of its own (everything is in the
 * `sandbox` schema, including the keys), so building one per request is cheap.
 */
export async function createAlipaySandbox(options: AlipaySandboxOptions) {
  const keys = options.keys ?? (await ensureSandboxAlipayKeys(options.db));
  const ctx: AlipayContext = {
    db: options.db,
    clock: options.clock,
    keys,
    sellerId: SANDBOX_ALIPAY_SELLER_ID,
    appGatewayUrl: options.appGatewayUrl,
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    notifyTimeoutMs: options.notifyTimeoutMs ?? NOTIFY_TIMEOUT_MS,
    sleep: options.sleep ?? realSleep,
  };
  const db = ctx.db;

  async function tick(): Promise<TickResult> {
    const now = await ctx.clock.now();
    const closed = await closeExpiredTrades(ctx, now);
    const { delivered, failed } = await deliverDueNotifications(ctx, now);
    return { delivered, failed, closed };
  }

  /** Notifications go out promptly when somebody keeps the work alive; else the ticker sends. */
  function deliverSoon(): void {
    options.background?.(() =>
      tick().catch((error: unknown) => log.warn({ err: error }, "background notify failed")),
    );
  }

  async function requireAgreement(agreementNo: string): Promise<AgreementRow> {
    const row = await findAgreement(ctx, { agreementNo });
    if (!row) throw new SandboxError(404, `no agreement ${agreementNo}`);
    return row;
  }

  return {
    keys,
    context: ctx,

    /** `/gateway.do`, GET or POST. */
    async handleGatewayRequest(request: Request): Promise<Response> {
      return this.handleGatewayParams(await readGatewayParams(request));
    },

    /** The same, for params already read (query ∪ form body). */
    async handleGatewayParams(
      params: Record<string, string>,
      pre?: GatewayPreRead,
    ): Promise<Response> {
      const result = await handleGateway(ctx, params, pre);
      deliverSoon();
      return toResponse(result);
    },

    readOrderString: (orderStr: string): AppPayOrder => readOrderString(ctx, orderStr),
    readSignUrl: (signUrl: string): SignRequest => readSignUrl(ctx, signUrl),

    async appPay(orderStr: string, action: AppPayAction): Promise<AppPayResult> {
      const result = await consumeOrderString(ctx, orderStr, action);
      deliverSoon();
      return result;
    },

    async sign(signUrl: string, action: "sign" | "cancel" = "sign") {
      const result = await consumeSignUrl(ctx, signUrl, action);
      deliverSoon();
      return result;
    },

    /** The user unsigns in the wallet: the notify goes to the app gateway. */
    async walletUnsign(agreementNo: string): Promise<void> {
      await requireAgreement(agreementNo);
      const done = await unsignAgreement(ctx, agreementNo, await ctx.clock.now(), {
        targetUrl: null,
        notify: true,
      });
      if (!done) throw new SandboxError(409, `agreement ${agreementNo} is already unsigned`);
      deliverSoon();
    },

    async setPaused(agreementNo: string, paused: boolean): Promise<void> {
      const row = await requireAgreement(agreementNo);
      if (row.status === (paused ? "STOP" : "NORMAL")) return;
      if (!(await setPaused(ctx, agreementNo, paused))) {
        throw new SandboxError(409, `agreement ${agreementNo} is ${row.status}`);
      }
    },

    /** The buyer's balance (the one buyer of the sandbox). */
    async setBalance(fen: number, agreementNo?: string): Promise<void> {
      if (agreementNo) await requireAgreement(agreementNo);
      await writeBalance(db, fen);
    },

    async wallet() {
      const settings = await readSettings(db);
      return { balanceFen: settings.buyerBalanceFen, agreements: await listAgreements(ctx) };
    },

    async getFaults(): Promise<AlipayFaults> {
      return (await readSettings(db)).faults;
    },

    setFaults: (patch: FaultsPatch): Promise<AlipayFaults> => patchFaults(db, patch),

    async setAppGatewayUrl(url: string | null): Promise<void> {
      await writeAppGatewayUrl(db, url);
    },

    async appGatewayUrl(): Promise<string> {
      return (await readSettings(db)).appGatewayUrl ?? ctx.appGatewayUrl;
    },

    tick,

    async stats() {
      const perMethod = await db
        .select({ method: calls.method, n: count() })
        .from(calls)
        .groupBy(calls.method);
      const settings = await readSettings(db);
      return {
        calls: Object.fromEntries(perMethod.map((row) => [row.method, row.n])),
        balanceFen: settings.buyerBalanceFen,
        notifications: (await notificationSummaries(ctx)).map((row) => ({
          id: row.id,
          notifyId: row.notifyId,
          notifyType: row.notifyType,
          target: row.targetUrl ?? "app-gateway",
          status: row.status,
          attempts: row.attempts,
          nextAttemptAt: row.nextAttemptAt.toISOString(),
          lastResult: row.lastResult,
        })),
      };
    },

    /** Empties every Alipay sandbox table except the keys (and the shared clock). */
    async reset(): Promise<void> {
      await db.execute(sql.raw(`TRUNCATE ${SANDBOX_TABLES.join(", ")} RESTART IDENTITY`));
    },

    publicKeys() {
      return {
        appId: keys.appId,
        sellerId: ctx.sellerId,
        appPublicKey: keys.appPublicKeyPem,
        alipayPublicKey: keys.alipayPublicKeyPem,
      };
    },
  };
}
