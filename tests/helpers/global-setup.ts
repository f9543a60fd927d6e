import postgres from "postgres";
import { migrateDatabase, openDatabase, type DatabaseConfig } from "../../db/client";
import { assertLocalDatabaseUrl } from "./local-database";

/**
 * PostgreSQL tier: start from an empty database and apply the committed migrations from scratch
 * with the code of the migrate step (`npm run db:migrate`), as a deploy does; each test file's
 * getDb() then only checks them, as a server does. PGlite files need nothing: each test file
 * gets its own in-memory database, migrated when it is opened.
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
  const config: DatabaseConfig = { kind: "postgres", url, poolMax: 1 };
  const handle = await openDatabase(config);
  try {
    await migrateDatabase(config, handle);
  } finally {
    await handle.close();
  }
}
