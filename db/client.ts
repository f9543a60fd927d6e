import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import * as schema from "./schema";

export type Schema = typeof schema;
/** Both drivers' databases (and their transactions) satisfy this type; queries take it. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export type DatabaseConfig =
  { kind: "postgres"; url: string } | { kind: "pglite"; dir: string | null /* null: in memory */ };

export interface DbHandle {
  kind: DatabaseConfig["kind"];
  db: Db;
  close(): Promise<void>;
}

export const MIGRATIONS_FOLDER = path.join(process.cwd(), "drizzle");

// Any constant shared by every instance: concurrent start-ups migrate one at a time.
const MIGRATION_LOCK_ID = 7_245_120_001;

export async function openDatabase(config: DatabaseConfig): Promise<DbHandle> {
  if (config.kind === "postgres") {
    const client = postgres(config.url, { max: 10, onnotice: () => {} });
    return {
      kind: "postgres",
      db: drizzlePostgres({ client, schema }),
      close: () => client.end({ timeout: 5 }),
    };
  }
  const client = config.dir ? await PGlite.create(config.dir) : await PGlite.create();
  return { kind: "pglite", db: drizzlePglite({ client, schema }), close: () => client.close() };
}

/** Applies the committed migrations in `drizzle/`; safe to call from many processes at once. */
export async function migrateDatabase(config: DatabaseConfig, handle: DbHandle): Promise<void> {
  if (config.kind === "pglite") {
    // PGlite is one process's embedded database: no concurrent migrators to fence off.
    await migratePglite(handle.db as Parameters<typeof migratePglite>[0], {
      migrationsFolder: MIGRATIONS_FOLDER,
    });
    return;
  }
  const client = postgres(config.url, { max: 1, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
    await migratePostgres(drizzlePostgres({ client }), { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await client`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`.catch(() => {});
    await client.end({ timeout: 5 });
  }
}
