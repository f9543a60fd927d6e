import "server-only";
import { getDb } from "@/db";
import { offsetClock } from "@/lib/clock";
import { getEnv } from "@/lib/env";
import { SandboxError } from "./errors";
import { createYouzanSandbox } from "./sandbox";
import type { Background, YouzanSandbox } from "./types";

/*
 * The Youzan Cloud sandbox: a local fake that speaks the real wire protocol (token endpoint, API
 * gateway, push messages with their md5 signatures), mounted under /sandbox/youzan in sandbox
 * mode. It shares nothing with the shop's client (lib/payments/youzan) on purpose, so a client
 * bug is not mirrored here. See docs/SANDBOX.md.
 */

export type {
  Background,
  EnvelopeOverride,
  HeartbeatResult,
  PayInput,
  SandboxPushSummary,
  SandboxQr,
  SandboxStats,
  TickResult,
  YouzanFaults,
  YouzanSandbox,
  YouzanSandboxOptions,
} from "./types";
export { isSandboxError, SandboxError } from "./errors";
export { createYouzanSandbox } from "./sandbox";
export { DEFAULT_FAULTS } from "./faults";

/**
 * The app's sandbox: env credentials, the shared virtual clock, pushes to the shop's webhook.
 * Built fresh on every call (its state is in the database, so this is cheap); nothing is kept
 * between requests. Routes pass `background` (Next's `after()`) so the push delivery that a
 * payment starts outlives the response.
 */
export async function getYouzanSandbox(
  options: { background?: Background } = {},
): Promise<YouzanSandbox> {
  const env = getEnv();
  if (!env.isSandbox) {
    throw new SandboxError(404, "the Youzan sandbox runs only when PAYMENTS_MODE=sandbox");
  }
  const db = await getDb();
  return createYouzanSandbox({
    db,
    clock: offsetClock(db),
    app: {
      clientId: env.youzan.clientId,
      clientSecret: env.youzan.clientSecret,
      kdtId: env.youzan.kdtId,
    },
    publicBaseUrl: `${env.appUrl}/sandbox/youzan`,
    pushUrl: `${env.appUrl}/api/webhooks/youzan`,
    background: options.background,
  });
}
