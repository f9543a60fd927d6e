import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import path from "node:path";
import postgres from "postgres";
import { serverEnv, serverNodeArgs } from "../../scripts/server-command";

/*
 * A second shop server from the same production build, for specs that need their own settings
 * (another database, no trusted proxy) next to the one the suite shares (scripts/e2e-server.ts).
 * Started the way `npm start` starts it: server.mjs.
 */

const root = path.resolve(import.meta.dirname, "../..");

/**
 * Removes a server's data folder. A stopped server's embedded database may still be finishing a
 * write as the process goes, so a folder can be briefly non-empty while it is removed
 * (ENOTEMPTY failed CI once): retried, as Node's rmSync offers.
 */
export function removeDataDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
}

export interface ShopServer {
  readonly baseUrl: string;
  readonly output: () => string;
  stop(): Promise<void>;
}

/**
 * Below Linux's ephemeral range (32768–60999 by default): a port picked there can be taken by
 * any outgoing connection (the server's own to PostgreSQL) between picking and listening, which
 * once failed this suite with EADDRINUSE. A port taken anyway is retried with another.
 */
const randomPort = () => 20_000 + Math.floor(Math.random() * 12_000);
const START_ATTEMPTS = 5;

export async function startShopServer(env: Record<string, string>): Promise<ShopServer> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startOnPort(randomPort(), env);
    } catch (error) {
      if (!(error instanceof PortTaken) || attempt === START_ATTEMPTS) throw error;
    }
  }
}

class PortTaken extends Error {}

async function startOnPort(port: number, env: Record<string, string>): Promise<ShopServer> {
  let output = "";
  const child: ChildProcess = spawn(process.execPath, serverNodeArgs(env), {
    cwd: root,
    env: serverEnv({
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production" as const,
      NEXT_TELEMETRY_DISABLED: "1",
      PAYMENTS_MODE: "sandbox",
      LOG_LEVEL: "warn",
      PORT: String(port),
      LISTEN_HOST: "127.0.0.1",
      APP_URL: `http://127.0.0.1:${port}`,
      ...env,
    }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  // Ready when it answers at all (with the database down, /api/health answers 503).
  for (let attempt = 0; attempt < 300; attempt += 1) {
    if (child.exitCode !== null) {
      if (output.includes("EADDRINUSE")) throw new PortTaken(`port ${port} taken`);
      throw new Error(`server exited:\n${output}`);
    }
    const answered = await send(baseUrl, "/api/health").then(
      () => true,
      () => false,
    );
    if (answered) return { baseUrl, output: () => output, stop };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`server did not start:\n${output}`);
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  ms: number;
}

/** One HTTP request, optionally from another loopback address (127.0.0.2, …: all are local). */
export function send(
  baseUrl: string,
  pathname: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    localAddress?: string;
    timeoutMs?: number;
  } = {},
): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      new URL(pathname, baseUrl),
      {
        method: options.method ?? "GET",
        headers: options.headers,
        localAddress: options.localAddress,
        timeout: options.timeoutMs ?? 10_000,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            ms: performance.now() - started,
          }),
        );
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${pathname}: no answer in time`)));
    req.on("error", reject);
    req.end(options.body);
  });
}

/** The local PostgreSQL specs may create databases in (E2E_OUTAGE_DATABASE_URL, local only). */
export const POSTGRES_ADMIN_URL =
  process.env.E2E_OUTAGE_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** Whether the local PostgreSQL answers (CI always has one; a laptop may not). */
export async function postgresReachable(): Promise<boolean> {
  const sql = postgres(POSTGRES_ADMIN_URL, { max: 1, connect_timeout: 2, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/**
 * A new, empty database `name` on the local PostgreSQL (dropped first if it exists), with the
 * migrations applied and, with `seed`, the sandbox's catalogue and owner: its URL.
 */
export async function freshPostgresDatabase(
  name: string,
  { seed = false }: { seed?: boolean } = {},
): Promise<URL> {
  const target = new URL(POSTGRES_ADMIN_URL);
  if (!["127.0.0.1", "localhost"].includes(target.hostname)) {
    throw new Error("local PostgreSQL only");
  }
  const admin = postgres(POSTGRES_ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  target.pathname = `/${name}`;
  const env = { ...process.env, DATABASE_URL: target.toString(), PAYMENTS_MODE: "sandbox" };
  for (const script of seed ? ["db:migrate", "db:seed"] : ["db:migrate"]) {
    const run = spawnSync("npm", ["run", "--silent", script], { cwd: root, env, encoding: "utf8" });
    if (run.status !== 0) throw new Error(`npm run ${script} failed:\n${run.stderr}`);
  }
  return target;
}
