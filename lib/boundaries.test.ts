import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

/*
 * The module boundaries are lint (`npm run lint` → `lint:boundaries`, .dependency-cruiser.cjs).
 * These tests prove that the lint bites: a small tree breaking every rule on purpose, next to
 * imports each rule allows, is cruised with the real configuration; then the real tree passes.
 */

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "..");
const CONFIG = path.join(ROOT, ".dependency-cruiser.cjs");
const DEPCRUISE = path.join(ROOT, "node_modules/dependency-cruiser/bin/dependency-cruise.mjs");

/** What `npm run lint:boundaries` runs, with its roots (one list, in package.json). */
function lintCommand(): string[] {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  const [bin, ...args] = (pkg.scripts["lint:boundaries"] ?? "").split(/\s+/);
  expect(bin).toBe("depcruise");
  return args;
}

/**
 * The violations in depcruise's `err` report — what `npm run lint` prints — as `rule: from → to`
 * (a `required` rule names the module only; a cycle, reported once from either end, as `a ⇄ b`).
 */
function violationsOf(report: string): string[] {
  const lines = [...report.matchAll(/error ([\w-]+): (\S+)(?: →\s*(\S+))?/g)].map(
    ([, rule, from, to]) =>
      rule === "no-circular"
        ? `${rule}: ${[from, to].sort().join(" ⇄ ")}`
        : `${rule}: ${from}${to ? ` → ${to}` : ""}`,
  );
  return lines.sort();
}

/** Runs depcruise in `cwd`: its exit code (non-zero when a rule is broken) and its report. */
async function depcruise(cwd: string, args: string[]) {
  try {
    const { stdout } = await run(process.execPath, [DEPCRUISE, ...args], { cwd });
    return { code: 0, stdout };
  } catch (error) {
    const { code, stdout } = error as { code: number; stdout: string };
    return { code, stdout };
  }
}

const fixture = mkdtempSync(path.join(tmpdir(), "xiaopu-boundaries-"));
afterAll(() => rmSync(fixture, { recursive: true, force: true }));

function write(file: string, code: string): void {
  mkdirSync(path.dirname(path.join(fixture, file)), { recursive: true });
  writeFileSync(path.join(fixture, file), code);
}

describe("the boundary rules", () => {
  // dependency-cruiser takes seconds to start; under a loaded machine more than the default 5.
  it(
    "fail on each deliberate forbidden import and pass the allowed ones",
    { timeout: 30_000 },
    async () => {
      write(
        "tsconfig.json",
        JSON.stringify({
          compilerOptions: {
            module: "esnext",
            moduleResolution: "bundler",
            paths: { "@/*": ["./*"] },
          },
        }),
      );
      write("node_modules/server-only/package.json", '{"name":"server-only","main":"index.js"}');
      write("node_modules/server-only/index.js", "");
      const marked = (code: string) => `import "server-only";\n${code}`;

      write("lib/env.ts", marked("export const env = {};"));
      write("lib/payments/youzan/index.ts", marked('export { vendor } from "./envelope";'));
      write("lib/payments/youzan/envelope.ts", marked("export const vendor = 1;"));
      write(
        "lib/payments/youzan/client.ts",
        marked('import "@/lib/env";\nimport "@/lib/sandbox/youzan";'),
      );
      write("lib/payments/youzan/unmarked.ts", "export const forgot = 1;");
      write("lib/payments/youzan/client.test.ts", 'import "@/tests/helpers/fake";');
      write(
        "lib/payments/alipay/index.ts",
        marked('import "@/lib/payments/youzan/envelope";\nimport "@/lib/payments/youzan";'),
      );
      write("lib/sandbox/youzan/index.ts", marked('import "@/lib/payments/youzan";'));
      write(
        "lib/orders/create-order.ts",
        [
          'import "@/lib/payments/youzan";', // the face: allowed
          'import type { vendor } from "@/lib/payments/youzan/envelope";', // type-only still counts
          'import "@/lib/sandbox/youzan";',
          'import "@/tests/helpers/fake";',
          'import "./missing";',
          "export type V = typeof vendor;",
        ].join("\n"),
      );
      write("lib/orders/create-order.test.ts", 'import "@/tests/helpers/fake";');
      // Heavy modules: only where they are used, or through `await import()`.
      write("node_modules/pdf-lib/package.json", '{"name":"pdf-lib","main":"index.js"}');
      write("node_modules/pdf-lib/index.js", "export const PDFDocument = {};");
      write("lib/delivery/pdf-stamp.ts", 'import "pdf-lib";\nexport const stamp = 1;'); // its user
      write("lib/delivery/download.ts", 'import "./pdf-stamp";'); // a route's module: no
      write("db/seed-delivery.ts", marked('import "pdf-lib";\nexport type Seeded = 1;'));
      write(
        "db/index.ts",
        marked(
          [
            'import type { Seeded } from "./seed-delivery";', // a type: allowed
            'export const seed = () => import("./seed-delivery");', // loaded when used: allowed
            "export type S = Seeded;",
          ].join("\n"),
        ),
      );
      write("db/client.ts", marked('import "pdf-lib";'));
      write("lib/a.ts", 'import "./b";');
      write("lib/b.ts", 'import "./a";');
      write("app/sandbox/youzan/route.ts", 'import "@/lib/sandbox/youzan";');
      write("instrumentation.ts", 'import "@/lib/sandbox/youzan";');
      write(
        "tests/helpers/fake.ts",
        'import "@/lib/sandbox/youzan";\nimport "@/lib/payments/youzan";',
      );

      const { code, stdout } = await depcruise(fixture, [
        "--config",
        CONFIG,
        "app",
        "lib",
        "db",
        "tests",
        "instrumentation.ts",
      ]);
      expect(violationsOf(stdout)).toEqual(
        [
          "sandbox-and-client-share-no-code: lib/payments/youzan/client.ts → lib/sandbox/youzan/index.ts",
          "no-circular: lib/a.ts ⇄ lib/b.ts",
          "no-tests-in-production: lib/orders/create-order.ts → tests/helpers/fake.ts",
          "no-unresolvable: lib/orders/create-order.ts → ./missing",
          "payments-face-only: lib/orders/create-order.ts → lib/payments/youzan/envelope.ts",
          "payments-no-env-behind-the-face: lib/payments/youzan/client.ts → lib/env.ts",
          "payments-provider-isolation: lib/payments/alipay/index.ts → lib/payments/youzan/envelope.ts",
          "sandbox-only-from-sandbox-hosts: lib/orders/create-order.ts → lib/sandbox/youzan/index.ts",
          "sandbox-only-from-sandbox-hosts: lib/payments/youzan/client.ts → lib/sandbox/youzan/index.ts",
          "sandbox-and-client-share-no-code: lib/sandbox/youzan/index.ts → lib/payments/youzan/index.ts",
          "server-only-marked: lib/payments/youzan/unmarked.ts",
          "heavy-code-loaded-when-needed: lib/delivery/download.ts → lib/delivery/pdf-stamp.ts",
          "heavy-code-loaded-when-needed: db/client.ts → node_modules/pdf-lib/index.js",
        ].sort(),
      );
      expect(code).toBeGreaterThan(0);
    },
  );

  it("hold on the real tree", { timeout: 60_000 }, async () => {
    const { code, stdout } = await depcruise(ROOT, lintCommand());
    expect(violationsOf(stdout)).toEqual([]);
    expect(code).toBe(0);
  });
});
