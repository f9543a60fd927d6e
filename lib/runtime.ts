import "server-only";
import { after } from "next/server";
import { getDb } from "@/db";
import type { Clock } from "@/lib/clock";
import { getEnv } from "@/lib/env";
import { moduleLogger } from "@/lib/logger";
import { getClock } from "@/lib/now";
import { STATUS_CHECK_INTERVAL_MS } from "@/lib/orders/deps";
import { createSharedTokenStore } from "@/lib/payments/shared-token-store";
import { getYouzanGateway, type TokenStore } from "@/lib/payments/youzan";
import { alipayConfigFromEnv, createAlipayGateway } from "@/lib/payments/alipay";
import {
  ensureSandboxAlipayKeys,
  SANDBOX_ALIPAY_SELLER_ID,
} from "@/db/queries/sandbox-alipay-keys";
import type { AlipayWebhookDeps } from "@/lib/webhooks/types";
import type { Db } from "@/db/client";
import type { WebhookDeps } from "@/lib/webhooks/types";
import { alertSinkFrom } from "@/lib/alerts";
import type { BillingDeps } from "@/lib/billing/deps";
import { billingPolicy } from "@/lib/billing/policy";
import { dingTalkMarkdownSender, type DingTalkMarkdownSender } from "@/lib/alerts";
import { insertSandboxMail } from "@/db/queries/sandbox-mail";
import type { NoticeDeps } from "@/lib/notices/send";
import { coalesced } from "@/lib/jobs/coalesced";
import { NOTICE_YIELD_MAX_MS, payments } from "@/lib/jobs/payments-first";
import {
  holdTransport,
  sandboxMailboxTransport,
  smtpTransport,
  type MailTransport,
} from "@/lib/notices/transport";

/** How long a webhook waits for its effect before acknowledging anyway (Youzan allows 5 s). */
export const APPLY_BUDGET_MS = 3_000;
/** A recorded event is tried this often (the reconcile job runs every 5 minutes: ~100 min). */
export const INBOX_MAX_ATTEMPTS = 20;

const log = moduleLogger("runtime");

export interface RuntimeDeps extends WebhookDeps {
  clock: Clock;
}

/**
 * On PostgreSQL many instances may serve the shop: they share provider tokens through the table
 * (one per database handle; its memory holds only the tokens last seen). PGlite is one process.
 */
let shared: { db: Db; store: TokenStore } | undefined;
function tokenStoreFor(db: Db, kind: "postgres" | "pglite"): TokenStore | undefined {
  if (kind !== "postgres") return undefined;
  if (shared?.db !== db) shared = { db, store: createSharedTokenStore(db) };
  return shared.store;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Work that must outlive the response: Next's `after()` keeps the function alive on the
 * platform. Outside a request (a script, a test) there is no request scope to attach to, so the
 * task simply runs on and its failure is logged.
 */
function background(task: Promise<unknown>): void {
  const logged = task.catch((error: unknown) =>
    log.error({ err: error }, "background task failed"),
  );
  try {
    after(logged);
  } catch {
    void logged;
  }
}

/**
 * The one place that builds what routes, server actions and jobs run on: the database, the
 * shop's clock (the sandbox's virtual clock in sandbox mode), the provider ports and the
 * settings they need. Tests build the same shape from their own parts.
 */
/**
 * Alipay as the shop uses it: live, from the env; in sandbox mode, the sandbox's gateway on this
 * server (or at ALIPAY_GATEWAY_URL: a sandbox another process serves) and the keys the sandbox
 * created (the client is the same code either way).
 */
async function alipayDeps(db: Db): Promise<AlipayWebhookDeps> {
  const env = getEnv();
  const common = { singleCapFen: env.alipay.singleCapFen, appUrl: env.appUrl };
  if (env.isSandbox) {
    const keys = await ensureSandboxAlipayKeys(db);
    const config = {
      gatewayUrl: env.alipay.gatewayUrl ?? `${env.appUrl}/sandbox/alipay/gateway.do`,
      appId: keys.appId,
      privateKey: keys.appPrivateKeyPem,
      alipayPublicKey: keys.alipayPublicKeyPem,
      sellerId: SANDBOX_ALIPAY_SELLER_ID,
      productCode: env.alipay.productCode,
    };
    return {
      ...common,
      gateway: createAlipayGateway(config),
      appId: keys.appId,
      sellerId: SANDBOX_ALIPAY_SELLER_ID,
      alipayPublicKey: keys.alipayPublicKeyPem,
    };
  }
  const config = alipayConfigFromEnv();
  return {
    ...common,
    gateway: createAlipayGateway(config),
    appId: config.appId,
    sellerId: config.sellerId ?? null,
    alipayPublicKey: config.alipayPublicKey,
  };
}

/**
 * Built once per database handle and configuration, not per request: the Alipay client parses
 * its RSA keys (and in sandbox mode reads them from the database) when it is made, which cost
 * the status poll most of its time when every request built its own (issue #14). A build that
 * fails (the database down) is not kept: the next call tries again.
 */
let built: { db: Db; env: ReturnType<typeof getEnv>; deps: Promise<RuntimeDeps> } | undefined;

export async function getRuntime(): Promise<RuntimeDeps> {
  const env = getEnv();
  const db = await getDb();
  if (built?.db === db && built.env === env) return built.deps;
  const deps = buildRuntime(env, db);
  const entry = { db, env, deps };
  built = entry;
  deps.catch(() => {
    if (built === entry) built = undefined;
  });
  return deps;
}

async function buildRuntime(env: ReturnType<typeof getEnv>, db: Db): Promise<RuntimeDeps> {
  const clock = await getClock();
  const { clientId, clientSecret, kdtId } = env.youzan;
  return {
    db,
    clock,
    now: () => clock.now(),
    youzan: getYouzanGateway({ tokenStore: tokenStoreFor(db, env.database.kind) }),
    youzanCredentials: { clientId, clientSecret, kdtId },
    alipay: await alipayDeps(db),
    orderTtlMinutes: env.orderTtlMinutes,
    statusCheckIntervalMs: STATUS_CHECK_INTERVAL_MS,
    applyBudgetMs: APPLY_BUDGET_MS,
    inboxMaxAttempts: INBOX_MAX_ATTEMPTS,
    sleep,
    background,
  };
}

/** What billing runs need: the runtime, the billing settings from the env, the owner's alerts. */
export async function getBillingRuntime(): Promise<BillingDeps> {
  const env = getEnv();
  const runtime = await getRuntime();
  return {
    ...runtime,
    billing: {
      enabled: env.billing.enabled,
      policy: billingPolicy(env),
      concurrency: env.billing.concurrency,
      batchSize: env.billing.batchSize,
      timeBudgetMs: env.billing.timeBudgetMs,
    },
    alerts: alertSinkFrom({
      webhookUrl: env.alerts.dingTalkWebhook,
      secret: env.alerts.dingTalkSecret,
    }),
  };
}

/** One SMTP transport per process and URL (nodemailer keeps its settings; cheap to reuse). */
let mailTransport: { key: string; transport: MailTransport } | undefined;

function transportFor(db: Db): MailTransport {
  const { mail } = getEnv();
  if (mail.transport === "hold") return holdTransport;
  if (mail.transport === "sandbox") {
    return sandboxMailboxTransport({
      from: mail.from,
      store: (entry) => insertSandboxMail(db, entry),
    });
  }
  const key = `${mail.smtpUrl}\n${mail.from}`;
  if (mailTransport?.key !== key) {
    mailTransport = { key, transport: smtpTransport({ url: mail.smtpUrl!, from: mail.from }) };
  }
  return mailTransport.transport;
}

function dingTalkFor(
  webhookUrl: string | null,
  secret: string | null,
): DingTalkMarkdownSender | null {
  if (!webhookUrl) return null;
  try {
    return dingTalkMarkdownSender({ webhookUrl, secret });
  } catch {
    // alertSinkFrom logs an unusable URL once per run; owner notices skip the channel.
    return null;
  }
}

/** What the notices job and the sender need: the database, the clock, the mail transport. */
export async function getNoticeRuntime(): Promise<NoticeDeps> {
  const env = getEnv();
  const [db, clock] = await Promise.all([getDb(), getClock()]);
  return {
    db,
    now: () => clock.now(),
    appUrl: env.appUrl,
    authSecret: env.authSecret,
    policy: billingPolicy(env),
    transport: transportFor(db),
    dingTalk: dingTalkFor(env.alerts.dingTalkWebhook, env.alerts.dingTalkSecret),
    ownerEmail: env.mail.ownerEmail,
    yieldToPayments: () => payments.quiet(NOTICE_YIELD_MAX_MS),
  };
}

/**
 * Sends due notices right after the response (Next's `after()`): a receipt leaves a moment after
 * the payment instead of at the next cron run. Kicks coalesce (lib/jobs/coalesced.ts): while one
 * runs in this process, more requests only ask it to go round once more, and each round waits
 * 250 ms first, so a burst's notices go out in a few batches. The sender gives way to payment
 * notifications in flight (lib/jobs/payments-first.ts); a round that ran out of time asks for
 * another. Never throws; the cron job catches what this misses (a failure, a process that ends).
 */
/** How long a kicked sender waits before a round, gathering the notices of a burst. */
const NOTICE_KICK_DELAY_MS = 250;

export const kickNotices: () => void = coalesced(
  async () => {
    const { sendDueNotices } = await import("@/lib/notices/send");
    const report = await sendDueNotices(await getNoticeRuntime(), { timeBudgetMs: 10_000 });
    // Out of time (it gave way to a burst of payments): one more round, not the next cron run.
    if (report.hasMore) kickNotices();
  },
  { delayMs: NOTICE_KICK_DELAY_MS, background },
);
