import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { resolveEnv } from "@/lib/env";

/*
 * The client is the same code in sandbox and live mode: nothing in it may branch on the mode or
 * reach into the sandbox. Only the resolved config (base URL and credentials) differs.
 */

const folder = import.meta.dirname;
const sources = readdirSync(folder)
  .filter(
    (file) => file.endsWith(".ts") && !file.endsWith(".test.ts") && file !== "fake-network.ts",
  )
  .map((file) => ({ file, code: readFileSync(path.join(folder, file), "utf8") }));

/** The code without comments, so a comment explaining the rule does not break it. */
function withoutComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1");
}

describe("the Youzan client does not know which mode it runs in", () => {
  it.each(sources.map((s) => [s.file, s.code] as const))("%s has no mode switch", (_file, code) => {
    const body = withoutComments(code);
    expect(body).not.toMatch(/isSandbox|paymentsMode|PAYMENTS_MODE|process\.env/);
    expect(body).not.toMatch(/from\s+["']@\/lib\/sandbox/);
    expect(body).not.toMatch(/\/sandbox\//);
  });

  it("sandbox and live configurations differ only in base URL and credentials", () => {
    const secrets = { loadOrCreateSecret: () => "s".repeat(40) };
    const sandbox = resolveEnv({}, secrets).youzan;
    const live = resolveEnv(
      {
        PAYMENTS_MODE: "live",
        AUTH_SECRET: "a".repeat(32),
        CRON_SECRET: "c".repeat(16),
        DATABASE_URL: "postgres://db.example.com/shop",
        APP_URL: "https://shop.example.com",
        ADMIN_EMAIL: "owner@example.com",
        ADMIN_PASSWORD: "a strong password",
        YOUZAN_CLIENT_ID: "live-client",
        YOUZAN_CLIENT_SECRET: "live-secret",
        YOUZAN_KDT_ID: "123456",
        ALIPAY_APP_ID: "2021",
        ALIPAY_PRIVATE_KEY: "k",
        ALIPAY_PUBLIC_KEY: "p",
      },
      secrets,
    ).youzan;
    expect(Object.keys(sandbox).sort()).toEqual(Object.keys(live).sort());
    expect(sandbox.baseUrl).toBe("http://localhost:3000/sandbox/youzan");
    expect(live.baseUrl).toBe("https://open.youzanyun.com");
  });
});
