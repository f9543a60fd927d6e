import {
  existsSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  writeFileSync,
} from "node:fs";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { startChild, stopChildren } from "../../scripts/bench-server";
import { serverEnv, serverNodeArgs } from "../../scripts/server-command";
import { eventually, runToExit } from "../helpers/processes";
import { ensureProductionBuild } from "./shop-server";

/*
 * The production server (`npm start`'s server.mjs) started against a database that cannot serve
 * this build. Next catches what instrumentation's register() throws and then answers a plain-text
 * 500 to every request, so register() decides (lib/startup.ts openDatabaseOrExit):
 *
 * - behind this build's migrations: serve — every page and route answers 503 with Retry-After —
 *   and heal by itself once `npm run db:migrate` has run (it answered 500 "Internal Server Error"
 *   to everything, /api/health included, until a request found it migrated);
 * - refusing the configuration (a role that does not exist): stop with status 1 and the reason,
 *   so that a supervisor shows it (it served those 500s forever).
 */

const PORT = Number(process.env.STARTUP_PORT ?? 3355);
const BEHIND = "postgres://postgres@127.0.0.1:5432/test_reliability_behind";

async function emptyDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const maintenance = new URL(url);
  maintenance.pathname = "/postgres";
  const sql = postgres(maintenance.toString(), { max: 1, onnotice: () => {} });
  try {
    const name = target.pathname.slice(1);
    await sql.unsafe(`drop database if exists "${name}" with (force)`);
    await sql.unsafe(`create database "${name}"`);
  } finally {
    await sql.end();
  }
}

function run(command: string, args: string[], env: Record<string, string>, timeoutMs: number) {
  return runToExit(command, args, { env: { ...process.env, ...env }, timeoutMs });
}

const SHOP_ENV = {
  PAYMENTS_MODE: "sandbox",
  AUTH_SECRET: "startup-auth-secret-0123456789abcdef0123",
  DATABASE_DIRECT_URL: "",
  PGLITE_DIR: "",
  NODE_ENV: "production",
  NEXT_TELEMETRY_DISABLED: "1",
  LISTEN_HOST: "127.0.0.1",
};

describe("start-up against a database that cannot serve this build (production server)", () => {
  afterAll(() => {
    stopChildren();
    mkdirSync(".reports/reliability", { recursive: true });
    writeFileSync(".reports/reliability/startup-database.json", JSON.stringify({ faultRows: 2 }));
  });

  it("behind its migrations: 503 on every page and route, then serves once migrated, without a restart", async () => {
    ensureProductionBuild();
    await emptyDatabase(BEHIND);
    const base = `http://127.0.0.1:${PORT}`;
    const child = startChild(
      "node",
      serverNodeArgs(process.env),
      serverEnv({ ...SHOP_ENV, PORT: String(PORT), APP_URL: base, DATABASE_URL: BEHIND }),
    );
    // Up when it answers at all (bench-server's waitFor waits for a status below 500).
    await eventually(
      async () => (await fetch(`${base}/api/health`).catch(() => null)) !== null,
      "the server listens",
    );
    const health = await fetch(`${base}/api/health`);
    expect(health.status).toBe(503);
    expect(health.headers.get("retry-after")).toBe("5");
    expect(await health.json()).toMatchObject({ error: { code: "service_unavailable" } });
    const page = await fetch(`${base}/`, { headers: { accept: "text/html" } });
    expect(page.status).toBe(503);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toContain('http-equiv="refresh"');

    const migrated = await run(
      "npx",
      ["tsx", "--conditions=react-server", "scripts/db-migrate.ts"],
      { DATABASE_URL: BEHIND, DATABASE_DIRECT_URL: "" },
      120_000,
    );
    expect(migrated.code, migrated.output).toBe(0);
    await eventually(
      async () => (await fetch(`${base}/api/health`)).status === 200,
      "/api/health answers 200 once migrated",
      60_000,
    );
    expect((await fetch(`${base}/`, { headers: { accept: "text/html" } })).status).toBe(200);
    expect(child.exitCode).toBeNull();

    // What it runs on (Linux's /proc): the Node these tests run on (the pinned runtime,
    // scripts/runtime.test.ts), and without Next's SWC binding mapped — a next.config.ts is compiled
    // by it when the server starts and ~26 MB of it stays (next.config.mjs, docs/PERFORMANCE.md).
    if (existsSync(`/proc/${child.pid}/maps`)) {
      expect(realpathSync(readlinkSync(`/proc/${child.pid}/exe`))).toBe(
        realpathSync(process.execPath),
      );
      const maps = readFileSync(`/proc/${child.pid}/maps`, "utf8");
      expect(maps).toContain(realpathSync(process.execPath)); // the right process's map
      expect(maps).not.toMatch(/next-swc|@next\/swc/);
    }
  }, 240_000);

  it("refusing its configuration (no such role): stops with status 1 and the reason", async () => {
    ensureProductionBuild();
    const result = await run(
      "node",
      serverNodeArgs(process.env),
      serverEnv({
        ...SHOP_ENV,
        PORT: String(PORT + 1),
        DATABASE_URL: "postgres://xiaopu_no_such_role@127.0.0.1:5432/postgres",
      }),
      60_000,
    );
    expect(result.timedOut, result.output.slice(-2000)).toBe(false);
    expect(result.code).toBe(1);
    expect(result.output).toContain("The database cannot be opened, the server stops");
    expect(result.output).toContain("xiaopu_no_such_role");
  }, 90_000);
});
