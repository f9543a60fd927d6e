import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { assertLocalDatabaseUrl } from "../tests/helpers/local-database";
import { serverEnv, serverNodeArgs } from "./server-command";

/*
 * What the benches that measure the shop over HTTP share: the production build, the server
 * started as `npm start` starts it (server.mjs), waiting for an address, a buyer's sign-in and
 * the server's memory.
 */

/** `next build`, unless BENCH_SKIP_BUILD=1 and a build exists. */
export function ensureBuild(label: string): void {
  if (process.env.BENCH_SKIP_BUILD === "1" && existsSync(".next/BUILD_ID")) return;
  console.log(`${label}: next build …`);
  const built = spawnSync("npx", ["next", "build"], { stdio: "inherit" });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

const children: ChildProcess[] = [];
let hooked = false;

/** A child process stopped (SIGTERM) when this one exits or when `stopChildren` is called. */
export function startChild(
  command: string,
  args: string[],
  env: Record<string, string>,
  cwd?: string,
): ChildProcess {
  if (!hooked) {
    hooked = true;
    process.once("exit", stopChildren);
  }
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: "inherit", cwd });
  children.push(child);
  return child;
}

export function stopChildren(): void {
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
}

export interface ShopOptions {
  port: number;
  /** Added to this process's environment (which holds DATABASE_URL, AUTH_SECRET, …). */
  env?: Record<string, string>;
  /** A folder for the server's CPU profile (node --cpu-prof). */
  cpuProfileDir?: string;
  /** More Node flags, before the shop's own (BENCH_SERVER_FLAGS's are added to every server). */
  nodeFlags?: readonly string[];
  /** Another checkout with its own build to run instead of this one (an A/B of code). */
  cwd?: string;
}

/** The production server on 127.0.0.1:port; resolves once /api/health answers. */
export async function startShop(
  options: ShopOptions,
): Promise<{ child: ChildProcess; base: string }> {
  const base = `http://127.0.0.1:${options.port}`;
  const extra = [
    ...(options.cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfileDir}`] : []),
    // Node flags for a diagnosis (`--trace-gc`…), which NODE_OPTIONS does not all take.
    ...(process.env.BENCH_SERVER_FLAGS ?? "").split(/\s+/).filter(Boolean),
    ...(options.nodeFlags ?? []),
  ];
  // A flag given here replaces the shop's own of the same name (`--max-semi-space-size=16`).
  const named = new Set(extra.map((flag) => flag.split("=")[0]));
  const args = serverNodeArgs(process.env, extra).filter(
    (arg, i) => i < extra.length || !named.has(arg.split("=")[0]),
  );
  const child = startChild(
    "node",
    args,
    serverEnv({
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      PORT: String(options.port),
      LISTEN_HOST: "127.0.0.1",
      APP_URL: base,
      MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? "",
      ...options.env,
    }),
    options.cwd,
  );
  await waitFor(`${base}/api/health`, child);
  return { child, base };
}

/** Resolves once `target` answers below 500; throws after two minutes or when `child` exits. */
export async function waitFor(target: string, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const ok = await fetch(target).then(
      (response) => response.status < 500,
      () => false,
    );
    if (ok) return;
    if (child && child.exitCode !== null) throw new Error(`${target}: the server exited`);
    if (Date.now() > deadline) throw new Error(`${target} never answered`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export const cookiesOf = (response: Response): string[] =>
  response.headers.getSetCookie().map((cookie) => cookie.split(";")[0]!);

/** Signs in with email and password as a browser does; returns the session cookie. */
export async function signIn(
  base: string,
  credentials: { email: string; password: string },
): Promise<string> {
  const csrf = await fetch(`${base}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const response = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: {
      cookie: cookiesOf(csrf).join("; "),
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ csrfToken, ...credentials, callbackUrl: `${base}/` }),
  });
  const session = cookiesOf(response).find((c) => c.startsWith("authjs.session-token="));
  if (!session) throw new Error(`sign-in as ${credentials.email} failed (${response.status})`);
  return session;
}

const CLOCK_TICKS_PER_S = 100;
/** A process's user + system CPU time so far, in ms (/proc/<pid>/stat fields 14 and 15). */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
}

/** The machine's busy CPU time so far, in ms, all cores (/proc/stat: all but idle and iowait). */
export function machineBusyMs(): number {
  const fields = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!.trim().split(/\s+/);
  const ticks = fields.slice(1, 9).map(Number);
  const busy = ticks.reduce((a, b) => a + b, 0) - ticks[3]! - ticks[4]!;
  return (busy * 1000) / CLOCK_TICKS_PER_S;
}

/** A process's resident memory in MB, from /proc. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/**
 * The environment a bench's server and its own imports of the shop read: sandbox mode on the
 * bench's (local only) PostgreSQL database, a fixed auth secret, quiet logs. Set before the
 * shop's modules are imported, which read it once.
 */
export function setBenchEnvironment(url: string, extra: Record<string, string> = {}): void {
  assertLocalDatabaseUrl(url);
  Object.assign(process.env, {
    DATABASE_URL: url,
    DATABASE_DIRECT_URL: "",
    PAYMENTS_MODE: "sandbox",
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
    AUTH_SECRET: "bench-auth-secret-0123456789abcdef0123",
    ...extra,
  });
}
