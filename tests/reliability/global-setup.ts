import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import setupTestDatabase from "../helpers/global-setup";
import { assertLocalDatabaseUrl } from "../helpers/local-database";

/** The tier's database (vitest.reliability.config.ts passes the same to its workers). */
export function reliabilityDatabaseUrl(): string {
  return (
    process.env.RELIABILITY_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test_reliability"
  );
}

/** Creates a local database when it does not exist yet (CI's server has `postgres` and `test`). */
export async function ensureDatabase(url: string): Promise<void> {
  assertLocalDatabaseUrl(url);
  const target = new URL(url);
  const name = target.pathname.slice(1);
  const maintenance = new URL(url);
  maintenance.pathname = "/postgres";
  const sql = postgres(maintenance.toString(), { max: 1, onnotice: () => {} });
  try {
    const found = await sql`select 1 from pg_database where datname = ${name}`;
    if (found.length === 0) await sql.unsafe(`create database "${name.replace(/"/g, '""')}"`);
  } finally {
    await sql.end();
  }
}

const COUNTS = path.join(".reports", "reliability");

/** What the tier's files reported (fault-matrix.json, fuzz.json, load.json), merged. */
export function reliabilityCounts(): Record<string, number> {
  const merged: Record<string, number> = {};
  let files: string[] = [];
  try {
    files = readdirSync(COUNTS).filter((file) => file.endsWith(".json") && file !== "counts.json");
  } catch {
    return merged;
  }
  for (const file of files) {
    const counts = JSON.parse(readFileSync(path.join(COUNTS, file), "utf8")) as Record<
      string,
      number
    >;
    // Fault rows come from more than one file (the matrix, the production server's outage rows).
    const faultRows = (merged.faultRows ?? 0) + (counts.faultRows ?? 0);
    Object.assign(merged, counts, faultRows ? { faultRows } : {});
  }
  return merged;
}

/**
 * The reliability tier's database, created when missing, emptied and migrated; at the end, one
 * line of what ran: fault rows, fuzz cases and load operations (also in counts.json).
 */
export default async function setup(): Promise<() => void> {
  const url = reliabilityDatabaseUrl();
  process.env.TEST_DATABASE_URL = url;
  await ensureDatabase(url);
  await setupTestDatabase();
  rmSync(COUNTS, { recursive: true, force: true });
  mkdirSync(COUNTS, { recursive: true });
  return () => {
    const counts = reliabilityCounts();
    writeFileSync(path.join(COUNTS, "counts.json"), JSON.stringify(counts));
    console.log(
      `\nreliability: ${counts.faultRows ?? 0} fault rows, ${counts.fuzzCases ?? 0} fuzz cases ` +
        `over ${counts.fuzzRoutes ?? 0} routes, ${counts.loadOperations ?? 0} load operations ` +
        `(${counts.perSecond ?? 0}/s, ${counts.buyers ?? 0} buyers)`,
    );
  };
}
