import type { ChildProcess } from "node:child_process";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { openDatabase, type Db, type DbHandle } from "@/db/client";
import { seedBenchDatabase } from "../../scripts/bench-database";
import { signIn, startShop } from "../../scripts/bench-server";
import { ensureDatabase } from "./global-setup";

/*
 * The production build (`next build` when none exists), started as `npm start` starts it, in
 * sandbox mode on a PostgreSQL database of its own (emptied, migrated, seeded with the owner and
 * `buyers` buyers). The reliability tier's HTTP files (fuzz, load) run against it, and read
 * its database through `db` to see what changed.
 */

export const ADMIN = { email: "owner@reliability.example.com", password: "reliability-owner-pw" };
export const BUYER_PASSWORD = "reliability-buyer-pw";
export const CRON_SECRET = "reliability-cron-secret-0123456789";
const AUTH_SECRET = "reliability-auth-secret-0123456789abcdef";

export interface ReliabilityShop {
  base: string;
  /** Where Youzan's and Alipay's sandboxes answer: `base`, or their own process. */
  providers: string;
  url: string;
  child: ChildProcess;
  /** The shop's database, for fingerprints and invariants. */
  db: Db;
  /** Buyer emails, buyer-0@… to buyer-{n-1}@…, all with BUYER_PASSWORD. */
  buyers: string[];
  signIn(email: string, password?: string): Promise<string>;
  stop(): Promise<void>;
}

export function ensureProductionBuild(): void {
  if (existsSync(".next/BUILD_ID") && process.env.RELIABILITY_BUILD !== "1") return;
  const built = spawnSync("npx", ["next", "build"], { stdio: "inherit" });
  if (built.status !== 0) throw new Error("next build failed");
}

export async function startReliabilityShop(options: {
  database: string;
  port: number;
  buyers?: number;
  env?: Record<string, string>;
  /**
   * The sandboxes in a process of their own (the same build on port + 1, the same database), as
   * Youzan and Alipay are elsewhere in a real shop: under load the shop does not wait for its
   * own event loop to answer its provider calls.
   */
  separateProviders?: boolean;
}): Promise<ReliabilityShop> {
  ensureProductionBuild();
  const url = `postgres://postgres@127.0.0.1:5432/${options.database}`;
  await ensureDatabase(url);
  const buyers = Array.from(
    { length: options.buyers ?? 1 },
    (_, i) => `buyer-${i}@reliability.example.com`,
  );
  await seedBenchDatabase(
    url,
    ADMIN,
    buyers.map((email) => ({ email, password: BUYER_PASSWORD })),
  );
  const handle: DbHandle = await openDatabase({ kind: "postgres", url, poolMax: 4 });
  const env: Record<string, string> = {
    DATABASE_URL: url,
    DATABASE_DIRECT_URL: "",
    PGLITE_DIR: "",
    PAYMENTS_MODE: "sandbox",
    LOG_LEVEL: "error",
    AUTH_SECRET,
    CRON_SECRET,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    // Each simulated buyer is its own address (X-Forwarded-For), as behind a proxy.
    TRUSTED_PROXY_HOPS: "1",
    ...options.env,
  };
  let providers: { child: ChildProcess; base: string } | undefined;
  if (options.separateProviders) {
    providers = await startShop({
      port: options.port + 1,
      env,
      cpuProfileDir: process.env.RELIABILITY_CPU_PROFILE_PROVIDERS,
    });
    Object.assign(env, {
      YOUZAN_BASE_URL: `${providers.base}/sandbox/youzan`,
      ALIPAY_GATEWAY_URL: `${providers.base}/sandbox/alipay/gateway.do`,
    });
  }
  // RELIABILITY_CPU_PROFILE=<dir>: the shop's CPU profile, written when it stops.
  const { child, base } = await startShop({
    port: options.port,
    env,
    cpuProfileDir: process.env.RELIABILITY_CPU_PROFILE,
  });
  if (providers) {
    // Youzan pushes to the shop under test, not to the instance serving the sandbox.
    const set = await fetch(`${providers.base}/sandbox/youzan/control/push-url`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ url: `${base}/api/webhooks/youzan` }),
    });
    if (!set.ok) throw new Error(`push-url: ${set.status} ${await set.text()}`);
  }
  const stop = async (process: ChildProcess) => {
    if (process.exitCode !== null) return;
    const exited = new Promise((resolve) => process.once("exit", resolve));
    process.kill("SIGTERM");
    await exited;
  };
  return {
    base,
    providers: providers?.base ?? base,
    url,
    child,
    db: handle.db,
    buyers,
    signIn: (email, password = BUYER_PASSWORD) => signIn(base, { email, password }),
    async stop() {
      await stop(child);
      if (providers) await stop(providers.child);
      await handle.close();
    },
  };
}
