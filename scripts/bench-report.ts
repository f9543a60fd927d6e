import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/*
 * The one shape every benchmark reports in (issue #14): each figure with what it is measured
 * against (a floor or an ideal), the ratio, the target and whether it was met. A bench prints
 * its own rows and saves them under .reports/bench/; `npm run bench` (scripts/bench-all.ts)
 * prints every saved row as one table and exits non-zero when any target was missed.
 */

export interface BenchRow {
  figure: string;
  value: string;
  /** The floor or ideal the value is measured against, with its own value ("" for none). */
  against: string;
  ratio: string;
  target: string;
  /** null: shown, no target. */
  ok: boolean | null;
}

export const BENCH_REPORTS = path.join(".reports", "bench");

export const pct = (x: number): string => `${(x * 100).toFixed(0)} %`;

export function tableLines(rows: BenchRow[]): string[] {
  const lines = [
    "| figure | value | floor / ideal | ratio | target | |",
    "| --- | --: | --- | --: | --- | --- |",
  ];
  for (const row of rows) {
    const mark = row.ok === null ? "" : row.ok ? "ok" : "MISSED";
    lines.push(
      `| ${row.figure} | ${row.value} | ${row.against} | ${row.ratio} | ${row.target} | ${mark} |`,
    );
  }
  return lines;
}

/**
 * Prints a bench's rows, saves them as .reports/bench/<name>.json and sets a failing exit code
 * when a target was missed.
 */
export function reportBench(name: string, heading: string, rows: BenchRow[]): void {
  console.log(`\n${heading}\n`);
  for (const line of tableLines(rows)) console.log(line);
  saveBench(name, heading, rows);
  const missed = rows.filter((row) => row.ok === false);
  if (missed.length > 0) {
    console.log(`\nbench:${name}: ${missed.length} target(s) missed`);
    process.exitCode = 1;
  }
}

/** Saves a bench's rows for `npm run bench`'s table, without printing them. */
export function saveBench(name: string, heading: string, rows: BenchRow[]): void {
  mkdirSync(BENCH_REPORTS, { recursive: true });
  writeFileSync(
    path.join(BENCH_REPORTS, `${name}.json`),
    JSON.stringify({ name, heading, at: new Date().toISOString(), rows }, null, 2),
  );
}

/** A row of the older benches' own tables: figure, value, target, and "ok"/"MISSED"/"" */
export function rowOf(figure: string, value: string, target = "", mark = ""): BenchRow {
  return {
    figure: figure.trim(),
    value,
    against: "",
    ratio: "",
    target,
    ok: mark === "" ? null : mark === "ok",
  };
}

export interface SavedBench {
  name: string;
  heading: string;
  at: string;
  rows: BenchRow[];
}

export function savedBenches(): SavedBench[] {
  let files: string[];
  try {
    files = readdirSync(BENCH_REPORTS).filter((file) => file.endsWith(".json"));
  } catch {
    return [];
  }
  return files
    .sort()
    .map((file) => JSON.parse(readFileSync(path.join(BENCH_REPORTS, file), "utf8")) as SavedBench);
}
