import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/*
 * Tests drive time through the clock and gates, never by waiting on the wall clock: a sleep
 * makes a suite slow on a fast machine and flaky on a slow one. This finds any test code that
 * waits (setTimeout, sleep, delay, waitForTimeout) for more than 100 ms by a
 * literal delay, and any assertion that something took "less than N ms".
 */

const ROOT = path.resolve(import.meta.dirname, "..");
const LIMIT_MS = 100;

function testFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules" && !entry.name.startsWith("."))
        files.push(...testFiles(rel));
    } else if (
      /\.(test|spec)\.tsx?$/.test(entry.name) ||
      rel.startsWith(`tests${path.sep}helpers`)
    ) {
      files.push(rel);
    }
  }
  return files;
}

const WAITS = [
  /setTimeout\([^;]*?,\s*([\d_]+)\s*\)/g,
  /\b(?:sleep|delay|waitForTimeout)\(\s*([\d_]+)\s*\)/g,
];
const DURATION_ASSERTION = /(?:Date\.now\(\)|performance\.now\(\))\s*-\s*\w+\)\.toBeLessThan/g;

export function longWaits(source: string): string[] {
  const found: string[] = [];
  for (const pattern of WAITS) {
    for (const match of source.matchAll(pattern)) {
      if (Number(match[1]!.replaceAll("_", "")) > LIMIT_MS) found.push(match[0]);
    }
  }
  for (const match of source.matchAll(DURATION_ASSERTION)) found.push(match[0]);
  return found;
}

/**
 * The load test (issue #14) paces its simulated buyers and scheduler on the wall clock: a
 * minute of real traffic is what it measures, not something it waits for.
 */
const PACED_IN_REAL_TIME = new Set([path.join("tests", "reliability", "load.test.ts")]);

describe("test hygiene", () => {
  it("the detector finds long waits and duration assertions, and lets short ones be", () => {
    expect(longWaits("await new Promise((r) => setTimeout(r, 600));")).toHaveLength(1);
    expect(longWaits("await sleep(1_000); await page.waitForTimeout(500);")).toHaveLength(2);
    expect(longWaits("expect(Date.now() - started).toBeLessThan(1200);")).toHaveLength(1);
    expect(longWaits("setTimeout(resolve, 20); sleep(100); setTimeout(() => {}, 0)")).toEqual([]);
  });

  it("no test waits on the wall clock for more than 100 ms", () => {
    const self = path.relative(ROOT, import.meta.filename);
    const files = [...testFiles("lib"), ...testFiles("tests"), ...testFiles("db")].filter(
      (file) => file !== self && !PACED_IN_REAL_TIME.has(file),
    );
    expect(files.length).toBeGreaterThan(20);
    const offenders = files.flatMap((file) =>
      longWaits(readFileSync(path.join(ROOT, file), "utf8")).map((wait) => `${file}: ${wait}`),
    );
    expect(offenders).toEqual([]);
  });
});
