import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { BENCH_REPORTS, savedBenches, tableLines, type BenchRow } from "./bench-report";

/*
 * `npm run bench` (issue #14): every benchmark one after another (BENCH_ONLY=status,push runs
 * some), then one table of every figure with its floor or ideal, the ratio and the target. Exits
 * 1 when a target was missed or a bench failed without reporting.
 */

const BENCHES = [
  "status",
  "push",
  "upstream",
  "pages",
  "billing",
  "orders",
  "subscriptions",
  "export",
  "upload",
];
const only = process.env.BENCH_ONLY?.split(",").map((name) => name.trim());
const chosen = only ? BENCHES.filter((name) => only.includes(name)) : BENCHES;

rmSync(BENCH_REPORTS, { recursive: true, force: true });
const failed: { name: string; code: number }[] = [];
for (const name of chosen) {
  console.log(`\n== bench:${name} ==`);
  const run = spawnSync("npm", ["run", "--silent", `bench:${name}`], { stdio: "inherit" });
  if (run.status !== 0) failed.push({ name, code: run.status ?? 1 });
}

const saved = new Map(savedBenches().map((bench) => [bench.name, bench]));
const rows: BenchRow[] = [];
for (const name of chosen) {
  const bench = saved.get(name);
  if (!bench) {
    const code = failed.find((f) => f.name === name)?.code ?? 0;
    rows.push({
      figure: `bench:${name}`,
      value: `exit ${code}, no figures`,
      against: "",
      ratio: "",
      target: "reports its figures",
      ok: false,
    });
    continue;
  }
  rows.push(...bench.rows.map((row) => ({ ...row, figure: `${name}: ${row.figure}` })));
}

console.log(`\n== every benchmark (${new Date().toISOString()}) ==\n`);
for (const line of tableLines(rows)) console.log(line);
const missed = rows.filter((row) => row.ok === false);
const crashed = failed.filter(
  (f) => saved.has(f.name) && !saved.get(f.name)!.rows.some((r) => r.ok === false),
);
for (const f of crashed) console.log(`bench:${f.name} exited ${f.code} without a missed target`);
console.log(
  `\n${rows.length} figures, ${missed.length} target(s) missed, ${failed.length} bench(es) failed`,
);
process.exit(missed.length > 0 || failed.length > 0 ? 1 : 0);
