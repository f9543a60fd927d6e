import { getEnv } from "@/lib/env";
import { moduleLogger } from "@/lib/logger";
import {
  migrateDatabase,
  openDatabase,
  type DatabaseConfig,
  type Db,
  type DbHandle,
} from "./client";
import { seedDatabase, type SeedResult } from "./seed";

const log = moduleLogger("db");

// Kept on globalThis: Next bundles instrumentation, pages and route handlers separately, and
// dev-mode reloads re-evaluate modules; PGlite must be opened once per process.
const globalForDb = globalThis as typeof globalThis & { __xiaopuDb?: Promise<DbHandle> };

/** What every start-up does: open, apply migrations, seed what is missing. */
export async function startDatabase(
  config: DatabaseConfig,
  admin: { email: string; password: string },
): Promise<{ handle: DbHandle; seeded: SeedResult }> {
  const handle = await openDatabase(config);
  await migrateDatabase(config, handle);
  return { handle, seeded: await seedDatabase(handle.db, admin) };
}

async function start(): Promise<DbHandle> {
  const env = getEnv();
  const { handle, seeded } = await startDatabase(env.database, env.admin);
  log.info(
    { database: env.database.kind, paymentsMode: env.paymentsMode, ...seeded },
    "database ready",
  );
  if (env.admin.isSandboxDefault && env.isSandbox) {
    // Sandbox defaults are public (README); printed so a fresh start shows how to get in.
    log.info(
      `sandbox admin login: ${env.admin.email} / ${env.admin.password} (set ADMIN_EMAIL and ADMIN_PASSWORD to change)`,
    );
  }
  return handle;
}

/** The process's database: opened, migrated and seeded on first use (and at start-up). */
export async function getDb(): Promise<Db> {
  globalForDb.__xiaopuDb ??= start().catch((error: unknown) => {
    globalForDb.__xiaopuDb = undefined;
    throw error;
  });
  return (await globalForDb.__xiaopuDb).db;
}

export type { Db } from "./client";

/** Closes the process's database (scripts and tests; the server keeps it for its lifetime). */
export async function closeDb(): Promise<void> {
  const handle = globalForDb.__xiaopuDb;
  globalForDb.__xiaopuDb = undefined;
  if (handle) await (await handle).close();
}
