import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import type { ShopProcessInput } from "./shop-process";

/*
 * Starts tests/reliability/faults/shop-process.ts as a process of its own: node itself (not
 * npx, whose children a SIGKILL would not reach) with tsx loaded and the react-server condition
 * (so `server-only` imports resolve as they do in the app's server code).
 */

const SCRIPT = path.join(import.meta.dirname, "shop-process.ts");
const ROOT = path.resolve(import.meta.dirname, "../../..");

export interface ShopProcess {
  child: ChildProcess;
  /** Resolves when it exits: its code (null when killed), signal and output. */
  exited: Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>;
  kill(): void;
}

export function startShopProcess(input: ShopProcessInput): ShopProcess {
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", SCRIPT], {
    cwd: ROOT,
    env: { ...process.env, FAULT_SHOP_INPUT: JSON.stringify(input), LOG_LEVEL: "silent" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const exited = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>((resolve) => {
    child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return {
    child,
    exited,
    kill: () => {
      if (child.pid !== undefined && child.exitCode === null) child.kill("SIGKILL");
    },
  };
}

/** Runs one to its end and returns the JSON line it printed. */
export async function runShopProcess<T>(input: ShopProcessInput): Promise<T> {
  const run = startShopProcess(input);
  const { code, stdout, stderr } = await run.exited;
  if (code !== 0) throw new Error(`shop process exited ${code}: ${stderr}`);
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "null") as T;
}
