import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runToExit } from "../helpers/processes";

/*
 * Issue #7, item 10: an invalid live configuration must stop the process at start-up, naming
 * each problem, so that a supervisor sees the failure (Next catches what register() throws and
 * serves 500s forever otherwise). The unit side is lib/startup.test.ts.
 */

const root = path.resolve(import.meta.dirname, "../..");

/** Only what a process needs to run, then the broken live configuration. */
function brokenLiveEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    PAYMENTS_MODE: "live",
    CRON_SECRET: "short",
    // Issue #8, item 8: an Alipay key that does not parse is named too; the others are missing.
    ALIPAY_PRIVATE_KEY: "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----",
    ...extra,
  };
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number) {
  return runToExit(command, args, { env, timeoutMs, cwd: root });
}

const NAMED = [
  "AUTH_SECRET",
  "CRON_SECRET",
  "DATABASE_URL",
  "APP_URL",
  "YOUZAN_CLIENT_ID",
  "ALIPAY_APP_ID",
  "ALIPAY_PRIVATE_KEY does not parse",
  "ALIPAY_PUBLIC_KEY",
];

describe("start-up with an invalid live configuration", () => {
  it("register() exits with status 1 and names every problem", async () => {
    const result = await run(
      "npx",
      [
        "tsx",
        "--conditions=react-server",
        "-e",
        'import("./instrumentation.ts").then((m) => m.register()).then(() => console.log("SERVING"))',
      ],
      brokenLiveEnv({ NEXT_RUNTIME: "nodejs" }),
      20_000,
    );
    expect(result.timedOut).toBe(false);
    expect(result.code).toBe(1);
    for (const name of NAMED) expect(result.output).toContain(name);
    expect(result.output).not.toContain("SERVING");
  }, 30_000);

  it.skipIf(!existsSync(path.join(root, ".next/BUILD_ID")))(
    "the production server (the existing build) exits non-zero instead of serving",
    async () => {
      const port = String(40_000 + Math.floor(Math.random() * 20_000));
      const result = await run(
        process.execPath,
        ["server.mjs"],
        brokenLiveEnv({ PORT: port, LISTEN_HOST: "127.0.0.1" }),
        20_000,
      );
      expect(result.timedOut).toBe(false);
      expect(result.code).not.toBe(0);
      for (const name of NAMED) expect(result.output).toContain(name);
    },
    30_000,
  );
});
