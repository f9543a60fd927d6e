import { reportDatabaseUnavailable } from "@/db/availability";
import { isDatabaseUnavailable } from "@/db/errors";
import { markDatabaseUnavailable } from "@/lib/http/request-outcome";

/**
 * Runs once when a server instance starts: validates the configuration (an invalid one, such as a
 * live deployment with a missing secret, exits here with status 1 naming each problem:
 * lib/startup.ts), connects the database before traffic (PGlite: migrate and seed; PostgreSQL:
 * check that `npm run db:migrate` has run — 503 everywhere until it has; a database that refuses
 * the configuration exits with status 1), and in sandbox mode starts the payment sandbox's
 * clock-driven work (pushes, retries, expiries).
 */
export async function register(): Promise<void> {
  // NEXT_RUNTIME is Next's own marker of the runtime, not configuration (lib/env.ts owns that).
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { getEnv } = await import("@/lib/env");
  const { configOrExit, mailSummary, openDatabaseOrExit, storageSummary } =
    await import("@/lib/startup");
  // An invalid configuration (in live mode: every missing secret) ends the process, named.
  const env = configOrExit(getEnv);
  // Where delivered files live (never the keys): a wrong bucket shows in the first log lines.
  const startupLog = (await import("@/lib/logger")).moduleLogger("startup");
  startupLog.info(storageSummary(env.storage));
  // Where notices go; live without SMTP_URL is a warning: they wait in the outbox until it is set.
  const mail = mailSummary(env.mail);
  if (env.mail.transport === "hold") startupLog.warn(mail);
  else startupLog.info(mail);
  const { getDb, logProbeFailure, probeDatabase } = await import("@/db");
  // proxy.ts asks this before every request: an outage is a 503 on every page and route.
  const { registerDatabaseProbe } = await import("@/db/availability");
  registerDatabaseProbe(probeDatabase, logProbeFailure);
  // Unreachable or not migrated yet: serve 503 until it heals. Anything else: stop, named.
  await openDatabaseOrExit(getDb, {
    warn: (err, message) => startupLog.warn({ err }, message),
    error: (err, message) => startupLog.error({ err }, message),
  });
  if (env.isSandbox) {
    const { startYouzanSandboxTicker } = await import("@/lib/sandbox/youzan/ticker");
    startYouzanSandboxTicker();
    const { startAlipaySandboxTicker } = await import("@/lib/sandbox/alipay/ticker");
    startAlipaySandboxTicker();
    const { startNoticesTicker } = await import("@/lib/jobs/notices-ticker");
    startNoticesTicker();
  }
}

/**
 * Next calls this for every error a page, route or action threw, within the request. A page
 * cannot answer 503 itself: when one met an unavailable database, the request is marked (the
 * production server, server.mjs, then answers 503 with Retry-After instead of Next's 500) and
 * the gate probes again on the next request, so from then on proxy.ts answers 503 until the
 * database is back. Synchronous up to the mark: Next writes the status after this returns.
 */
export function onRequestError(error: unknown): void {
  if (process.env.NEXT_RUNTIME === "edge") return;
  if (!isDatabaseUnavailable(error)) return;
  markDatabaseUnavailable();
  reportDatabaseUnavailable();
}
