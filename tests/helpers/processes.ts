import { spawn } from "node:child_process";

/** What a child process wrote (stdout and stderr, interleaved) and how it ended. */
export interface RunResult {
  code: number | null;
  output: string;
  /** Killed by the guard: it was still running after `timeoutMs`. */
  timedOut: boolean;
}

/**
 * Runs a command to its end. The timeout is a guard against a process that keeps running (a
 * server that should have stopped), not a wait: it is SIGKILLed then, and `timedOut` says so.
 */
export function runToExit(
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; timeoutMs: number; cwd?: string },
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let timedOut = false;
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, options.timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output, timedOut });
    });
  });
}

/** Resolves once `check` answers true (asked every 100 ms); throws naming `what` after `ms`. */
export async function eventually(
  check: () => Promise<boolean>,
  what: string,
  ms = 30_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`never: ${what}`);
}
