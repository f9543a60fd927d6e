import "server-only";
import { getEnv } from "@/lib/env";
import { getStorage } from "@/lib/storage";
import { moduleLogger } from "@/lib/logger";
import {
  assertMigrationsCurrent,
  migrateDatabase,
  openDatabase,
  type DatabaseConfig,
  type Db,
  type DbHandle,
} from "./client";
import { databaseUnavailableCause, isDatabaseUnavailable } from "./errors";
import { pingDatabase } from "./queries/health";
import type { FileStorage } from "@/lib/storage/types";
import { seedDatabase, type SeedResult } from "./seed";
import type { SeedDeliveryResult } from "./seed-delivery";

const log = moduleLogger("db");

type Admin = { email: string; password: string };

// Kept on globalThis: Next bundles instrumentation, pages and route handlers separately, and
// dev-mode reloads re-evaluate modules; PGlite must be opened once per process.
const globalForDb = globalThis as typeof globalThis & { __xiaopuDb?: Promise<DbHandle> };

/** What the seed did; `delivery` when the demo content was seeded too (sandbox mode). */
export type Seeded = SeedResult & { delivery?: SeedDeliveryResult };

/**
 * The migrate step (`npm run db:migrate`): open, apply the migrations, seed what is missing.
 * Idempotent, and safe to run from several deploys at once (advisory lock). With `content` (the
 * file storage, in sandbox mode) the seeded e-books, course and members' area get their demo
 * files, lessons and post; a live shop's owner uploads their own.
 */
export async function prepareDatabase(
  config: DatabaseConfig,
  admin: Admin,
  content?: FileStorage,
): Promise<{ handle: DbHandle; seeded: Seeded }> {
  const handle = await openDatabase(config);
  try {
    await migrateDatabase(config, handle);
    const seeded: Seeded = await seedDatabase(handle.db, admin);
    if (content) {
      // Loaded only here: the demo PDFs are made with pdf-lib and fontkit (~3 MB of code), which
      // every route of the server would otherwise hold, since every route imports this module.
      const { seedDelivery } = await import("./seed-delivery");
      seeded.delivery = await seedDelivery(handle.db, content);
    }
    return { handle, seeded };
  } catch (error) {
    await handle.close().catch(() => {});
    throw error;
  }
}

/**
 * What a server process does when it first needs the database.
 * - PostgreSQL: open the pool and check that the migrations are applied (one small query); a
 *   database behind this build is refused with MigrationsBehindError naming `npm run db:migrate`.
 *   Migrating is the deploy's job, run once, not every cold start's.
 * - PGlite: the migrate step itself. An embedded database has no separate deploy step, and an
 *   in-memory one (tests) exists only inside the process that opened it.
 */
export async function connectDatabase(
  config: DatabaseConfig,
  admin: Admin,
  content?: FileStorage,
): Promise<{ handle: DbHandle; seeded?: Seeded }> {
  if (config.kind === "pglite") return prepareDatabase(config, admin, content);
  const handle = await openDatabase(config);
  try {
    await assertMigrationsCurrent(handle.db);
  } catch (error) {
    await handle.close().catch(() => {});
    throw error;
  }
  return { handle };
}

async function start(): Promise<DbHandle> {
  const env = getEnv();
  // The demo content's PDFs take a second or two to make: not for every test file's database
  // (tests/integration/seed-delivery.test.ts seeds it where it is the subject).
  const content = env.isSandbox && env.nodeEnv !== "test" ? getStorage() : undefined;
  const { handle, seeded } = await connectDatabase(env.database, env.admin, content);
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

/**
 * The process's database, connected on first use (normally at start-up, instrumentation.ts).
 * A failed start is forgotten, so the next call tries again: a database that was down or not yet
 * migrated is picked up without restarting the server.
 */
export async function getDb(): Promise<Db> {
  globalForDb.__xiaopuDb ??= start().catch((error: unknown) => {
    globalForDb.__xiaopuDb = undefined;
    throw error;
  });
  return (await globalForDb.__xiaopuDb).db;
}

export type { Db } from "./client";

/**
 * The availability gate's probe (db/availability.ts, registered at start-up): throws when the
 * database cannot serve now. Any other failure (a wrong host name, a bug) resolves, so that the
 * routes answer it themselves instead of the whole shop reporting an outage.
 */
export async function probeDatabase(): Promise<void> {
  try {
    await pingDatabase(await getDb());
  } catch (error) {
    if (isDatabaseUnavailable(error)) throw error;
    log.error({ err: error }, "database probe failed for a reason that is not an outage");
  }
}

/** How the gate logs a failed probe: the driver's error, once per probe. */
export function logProbeFailure(error: unknown): void {
  log.warn({ err: databaseUnavailableCause(error) ?? error }, "database unavailable");
}

/** Closes the process's database (scripts and tests; the server keeps it for its lifetime). */
export async function closeDb(): Promise<void> {
  const handle = globalForDb.__xiaopuDb;
  globalForDb.__xiaopuDb = undefined;
  if (handle) await (await handle).close();
}
