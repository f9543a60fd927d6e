import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";

/*
 * Importing a module does nothing: modules call `moduleLogger` at their top level, so a logger
 * that read its level at import would resolve the env — and write `.data/` secrets — whenever any
 * module is merely imported (a test, a script, `next build`). Checked in a fresh Node process,
 * in an empty directory, with every read of process.env recorded.
 */

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "..");
const url = (file: string) => pathToFileURL(path.join(ROOT, file)).href;

/**
 * Read at import by the runtime, not by our code: Node's module loader (watch mode) and pino's
 * worker transport (thread-stream, V8 coverage of its worker). Any other name fails the test.
 */
const RUNTIME_READS = new Set(["WATCH_REPORT_DEPENDENCIES", "NODE_V8_COVERAGE"]);

const PROBE = `
const real = process.env;
const reads = [];
const record = (key) => { if (typeof key === "string") reads.push(key); };
process.env = new Proxy(real, {
  get: (t, k) => (record(k), Reflect.get(t, k)),
  has: (t, k) => (record(k), Reflect.has(t, k)),
  ownKeys: (t) => (record("<every variable>"), Reflect.ownKeys(t)),
  getOwnPropertyDescriptor: (t, k) => (record(k), Reflect.getOwnPropertyDescriptor(t, k)),
});
const { readdirSync } = await import("node:fs");
const { moduleLogger } = await import(${JSON.stringify(url("lib/logger.ts"))});
const log = moduleLogger("probe");
const atImport = { reads: [...reads], files: readdirSync(".") };
log.info("first line");
const afterFirstLine = { reads: [...reads], files: readdirSync(".") };
process.env = real;
console.error(JSON.stringify({ atImport, afterFirstLine }));
`;

let cwd: string | undefined;
afterEach(() => {
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

describe("lib/logger.ts", () => {
  it("reads no environment and writes nothing when imported, only when it first logs", async () => {
    cwd = mkdtempSync(path.join(tmpdir(), "xiaopu-logger-"));
    const { stderr } = await run(
      process.execPath,
      [
        // How scripts run server code outside Next (package.json): tsx and the react-server
        // condition, under which `server-only` (imported by lib/env.ts) is an empty module.
        "--conditions=react-server",
        "--import",
        url("node_modules/tsx/dist/loader.mjs"),
        "--input-type=module",
        "--eval",
        PROBE,
      ],
      { cwd, env: { NODE_ENV: "test", LOG_LEVEL: "silent" } },
    );
    const { atImport, afterFirstLine } = JSON.parse(stderr.trim().split("\n").at(-1) ?? "") as {
      atImport: { reads: string[]; files: string[] };
      afterFirstLine: { reads: string[]; files: string[] };
    };

    expect(atImport.reads.filter((name) => !RUNTIME_READS.has(name))).toEqual([]);
    expect(atImport.files).toEqual([]);
    // The probe sees reads and writes: the first line resolves the env, which creates the
    // development secrets in `.data/` of the working directory.
    expect(afterFirstLine.reads).toContain("LOG_LEVEL");
    expect(afterFirstLine.files).toEqual([".data"]);
    expect(readdirSync(path.join(cwd, ".data")).sort()).toEqual(["auth-secret", "cron-secret"]);
  });
});
