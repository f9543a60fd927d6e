import type { Db } from "@/db/client";
import { getDb } from "@/db";
import { offsetClock } from "@/lib/clock";
import { getEnv } from "@/lib/env";
import { SandboxError } from "./errors";
import { createYouzanSandbox } from "./sandbox";
import type { YouzanSandbox } from "./types";

/*
 * The Youzan Cloud sandbox: a local fake that speaks the real wire protocol (token endpoint, API
 * gateway, push messages with their md5 signatures), mounted under /sandbox/youzan in sandbox
 * mode. It shares nothing with the shop's client (lib/payments/youzan) on purpose, so a client
 * bug is not mirrored here. See docs/SANDBOX.md.
 */

export type {
  PayInput,
  SandboxPushSummary,
  SandboxQr,
  SandboxStats,
  TickResult,
  YouzanFaults,
  YouzanSandbox,
  YouzanSandboxOptions,
} from "./types";
export { SandboxError } from "./errors";
export { createYouzanSandbox } from "./sandbox";
export { DEFAULT_FAULTS } from "./faults";

// One instance per process and database, shared by routes, pages and the ticker, so that
// tick() can wait for deliveries a payment started in the background.
const globalForSandbox = globalThis as typeof globalThis & {
  __xiaopuYouzanSandbox?: { db: Db; sandbox: YouzanSandbox };
};

/** The app's sandbox: env credentials, the shared virtual clock, pushes to the shop's webhook. */
export async function getYouzanSandbox(): Promise<YouzanSandbox> {
  const env = getEnv();
  if (!env.isSandbox) {
    throw new SandboxError(404, "the Youzan sandbox runs only when PAYMENTS_MODE=sandbox");
  }
  const db = await getDb();
  const cached = globalForSandbox.__xiaopuYouzanSandbox;
  if (cached?.db === db) return cached.sandbox;
  const sandbox = createYouzanSandbox({
    db,
    clock: offsetClock(db),
    app: {
      clientId: env.youzan.clientId,
      clientSecret: env.youzan.clientSecret,
      kdtId: env.youzan.kdtId,
    },
    publicBaseUrl: `${env.appUrl}/sandbox/youzan`,
    pushUrl: `${env.appUrl}/api/webhooks/youzan`,
  });
  globalForSandbox.__xiaopuYouzanSandbox = { db, sandbox };
  return sandbox;
}
