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

/** The reliability tier's database, created when missing, emptied and migrated. */
export default async function setup(): Promise<void> {
  const url = reliabilityDatabaseUrl();
  process.env.TEST_DATABASE_URL = url;
  await ensureDatabase(url);
  await setupTestDatabase();
}
