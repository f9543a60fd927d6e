import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

/*
 * `npm run billing -- <phase> [--dry-run]` as a crontab runs it: a separate process on its own
 * (embedded) database. Wrong command lines exit 2 with the usage; a run prints its report as JSON
 * on stdout and a progress line per batch on stderr.
 */

const root = path.resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(path.join(tmpdir(), "xiaopu-billing-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function billing(args: string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(
      "npx",
      ["tsx", "--conditions=react-server", "scripts/billing.ts", ...args],
      {
        cwd: root,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          NODE_ENV: "test",
          LOG_LEVEL: "silent",
          PAYMENTS_MODE: "sandbox",
          PGLITE_DIR: path.join(dir, "pglite"),
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("npm run billing", () => {
  it("refuses a wrong command line with the usage and exit code 2", async () => {
    for (const args of [[], ["charge-everyone"], ["charge", "--force"]]) {
      const result = await billing(args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toContain(
        "usage: npm run billing -- <charge|retry|postpone|reconcile>",
      );
    }
  }, 60_000);

  it("runs a phase and prints its report; --dry-run marks it and touches nothing", async () => {
    const dry = await billing(["charge", "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({
      phase: "charge",
      dryRun: true,
      processed: 0,
      wouldDo: {},
      hasMore: false,
    });
    const real = await billing(["reconcile"]);
    expect(real.code).toBe(0);
    expect(JSON.parse(real.stdout)).toMatchObject({
      phase: "reconcile",
      dryRun: false,
      runId: expect.stringMatching(/^run_/) as unknown,
    });
  }, 60_000);
});
