import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";

/*
 * `npm test`: every tier, one after another, then one line `N passed, N failed, N skipped` that
 * sums them all. Static checks count as one test each. TEST_TIERS=unit,e2e runs a subset.
 * The PostgreSQL tier uses TEST_DATABASE_URL (default: the local `test` database); when that
 * server is unreachable the tier is skipped locally and fails under CI. So does the reliability
 * tier (issue #14: fault matrix, fuzzed input, load), on databases of its own.
 */

interface Tally {
  passed: number;
  failed: number;
  skipped: number;
}

interface Tier {
  name: string;
  run: () => Tally;
}

const REPORTS = ".reports";
const CI = Boolean(process.env.CI);
const DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/test";
const RELIABILITY_PG = "postgres://postgres@127.0.0.1:5432/test_reliability";

function sh(command: string, args: string[], env: Record<string, string> = {}): number {
  const result = spawnSync(command, args, { stdio: "inherit", env: { ...process.env, ...env } });
  return result.status ?? 1;
}

function check(script: string): Tally {
  const code = sh("npm", ["run", "--silent", script]);
  return code === 0 ? { passed: 1, failed: 0, skipped: 0 } : { passed: 0, failed: 1, skipped: 0 };
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch {
    return undefined;
  }
}

/** A run that failed without reporting a failed test (a crash, a setup error) counts as one. */
function settle(code: number, tally: Tally | undefined): Tally {
  if (!tally) return { passed: 0, failed: 1, skipped: 0 };
  if (code !== 0 && tally.failed === 0) return { ...tally, failed: 1 };
  return tally;
}

interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
}

function vitest(name: string, config: string, env: Record<string, string> = {}): Tally {
  const report = `${REPORTS}/${name}.json`;
  rmSync(report, { force: true });
  const code = sh(
    "npx",
    [
      "vitest",
      "run",
      "--config",
      config,
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${report}`,
    ],
    env,
  );
  const json = readJson<VitestReport>(report);
  return settle(
    code,
    json && {
      passed: json.numPassedTests,
      failed: json.numFailedTests,
      skipped: json.numPendingTests + json.numTodoTests,
    },
  );
}

interface PlaywrightReport {
  stats: { expected: number; unexpected: number; flaky: number; skipped: number };
}

function playwright(): Tally {
  const report = `${REPORTS}/e2e.json`;
  rmSync(report, { force: true });
  const code = sh("npx", ["playwright", "test"]);
  const json = readJson<PlaywrightReport>(report);
  return settle(
    code,
    json && {
      passed: json.stats.expected + json.stats.flaky,
      failed: json.stats.unexpected,
      skipped: json.stats.skipped,
    },
  );
}

function reachable(url: string): boolean {
  const { hostname, port } = new URL(url);
  const probe = `
    const s = require("node:net").connect(${Number(port || 5432)}, ${JSON.stringify(hostname)});
    s.setTimeout(2000, () => process.exit(1));
    s.on("connect", () => process.exit(0));
    s.on("error", () => process.exit(1));`;
  return spawnSync(process.execPath, ["-e", probe]).status === 0;
}

let pgliteIntegration: Tally | undefined;

const tiers: Tier[] = [
  { name: "lint", run: () => check("lint") },
  { name: "typecheck", run: () => check("typecheck") },
  { name: "format", run: () => check("format:check") },
  { name: "unit", run: () => vitest("unit", "vitest.unit.config.ts") },
  {
    name: "integration-pglite",
    run: () =>
      (pgliteIntegration = vitest("integration-pglite", "vitest.integration.config.ts", {
        TEST_DATABASE_URL: "",
      })),
  },
  {
    name: "integration-postgres",
    run: () => {
      const url = process.env.TEST_DATABASE_URL || DEFAULT_PG;
      if (!reachable(url)) {
        const host = new URL(url).host;
        if (CI) {
          console.error(`PostgreSQL at ${host} is unreachable; CI requires this tier.`);
          return { passed: 0, failed: 1, skipped: 0 };
        }
        console.warn(`PostgreSQL at ${host} is unreachable: skipping the PostgreSQL tier.`);
        const total = pgliteIntegration ? pgliteIntegration.passed + pgliteIntegration.failed : 1;
        return { passed: 0, failed: 0, skipped: total };
      }
      return vitest("integration-postgres", "vitest.integration.config.ts", {
        TEST_DATABASE_URL: url,
      });
    },
  },
  { name: "e2e", run: playwright },
  // After e2e: its production build is the one the reliability tier's servers run.
  {
    name: "reliability",
    run: () => {
      const url = process.env.RELIABILITY_DATABASE_URL ?? RELIABILITY_PG;
      if (!reachable(url)) {
        if (CI) {
          console.error(
            `PostgreSQL at ${new URL(url).host} is unreachable; CI requires this tier.`,
          );
          return { passed: 0, failed: 1, skipped: 0 };
        }
        console.warn("PostgreSQL is unreachable: skipping the reliability tier.");
        return { passed: 0, failed: 0, skipped: 1 };
      }
      return vitest("reliability", "vitest.reliability.config.ts");
    },
  },
];

const only = process.env.TEST_TIERS?.split(",").map((s) => s.trim());
mkdirSync(REPORTS, { recursive: true });
const results: [string, Tally][] = [];
for (const tier of tiers) {
  if (only && !only.includes(tier.name)) continue;
  console.log(`\n== ${tier.name} ==`);
  results.push([tier.name, tier.run()]);
}

const total = results.reduce(
  (sum, [, t]) => ({
    passed: sum.passed + t.passed,
    failed: sum.failed + t.failed,
    skipped: sum.skipped + t.skipped,
  }),
  { passed: 0, failed: 0, skipped: 0 },
);
console.log("\n== summary ==");
for (const [name, t] of results) {
  console.log(`${name.padEnd(22)} ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`);
}
if (!existsSync("/usr/bin/chromium")) console.log("(e2e ran on Playwright's own Chromium)");
console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(total.failed > 0 ? 1 : 0);
