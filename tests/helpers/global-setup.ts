import postgres from "postgres";
import { assertLocalDatabaseUrl } from "./local-database";

/**
 * PostgreSQL tier: start from an empty database so the committed migrations are applied from
 * scratch by the code under test (getDb() migrates on first use). PGlite files need nothing:
 * each test file gets its own in-memory database.
 */
export default async function setup(): Promise<void> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) return;
  assertLocalDatabaseUrl(url);
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(
      "drop schema if exists drizzle cascade; drop schema if exists sandbox cascade; drop schema if exists public cascade; create schema public;",
    );
  } finally {
    await sql.end();
  }
}
