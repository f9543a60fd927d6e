import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ENV_VARIABLES, resolveEnv } from "./env";

const example = readFileSync(path.join(import.meta.dirname, "..", ".env.example"), "utf8");
const documented = [...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]);

describe(".env.example", () => {
  it("documents every variable lib/env.ts reads, and nothing else", () => {
    expect([...documented].sort()).toEqual(
      [...ENV_VARIABLES].filter((v) => v !== "NODE_ENV").sort(),
    );
  });

  it("is itself a valid sandbox configuration when copied as it is", () => {
    const values = Object.fromEntries(
      [...example.matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((m) => [m[1], m[2]]),
    );
    const env = resolveEnv(values, { loadOrCreateSecret: () => "s".repeat(40) });
    expect(env.paymentsMode).toBe("sandbox");
    expect(env.database.kind).toBe("pglite");
  });
});
