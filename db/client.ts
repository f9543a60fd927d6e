import "server-only";
import { readFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import { rowsOf } from "./rows";
import postgres from "postgres";
import { reportDatabaseUnavailable } from "./availability";
import { hasErrorCode, MigrationsBehindError } from "./errors";
import * as schema from "./schema";

export type Schema = typeof schema;
/** Both drivers' databases (and their transactions) satisfy this type; queries take it. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export type DatabaseConfig =
  | {
      kind: "postgres";
      url: string;
      /** Pool size of this process (default 10). */
      poolMax?: number;
      /** Where migrations run (a direct connection when `url` is a pooler); default `url`. */
      migrationUrl?: string;
      /** Named prepared statements (`preparedStatements`); default true. */
      prepare?: boolean;
    }
  | { kind: "pglite"; dir: string | null /* null: in memory */ };

export interface DbHandle {
  kind: DatabaseConfig["kind"];
  db: Db;
  close(): Promise<void>;
}

export const MIGRATIONS_FOLDER = path.join(process.cwd(), "drizzle");

// Any constant shared by every instance: concurrent migrate steps run one at a time.
const MIGRATION_LOCK_ID = 7_245_120_001;

/**
 * A connection that has not completed its handshake after this many seconds fails
 * (CONNECT_TIMEOUT, a 503): an unreachable server answers within the request, not after TCP's
 * minutes. postgres.js's default is 30.
 */
export const CONNECT_TIMEOUT_SECONDS = 2;
/**
 * The server cancels any statement of the shop's that runs longer (57014): a request stuck
 * behind a lock ends instead of holding its connection forever. Far above any query the shop
 * makes, so reaching it is a bug, logged as an error (db/errors.ts does not count 57014 as an
 * outage); the migrate step has its own connection without it.
 */
export const STATEMENT_TIMEOUT_MS = 10_000;

/**
 * Seconds before reconnecting after the n-th failed connection in a row. postgres.js's default
 * grows to 20 s (3^n / 100): after an outage of a few seconds the pool would sit out up to 20 s
 * more, every request waiting on it. The availability gate (db/availability.ts) already keeps
 * traffic off an unreachable database, so reconnect promptly.
 */
export function reconnectBackoffSeconds(failures: number): number {
  return Math.min(0.1 * failures, 1);
}

type AnySql = postgres.Sql | postgres.TransactionSql;
type Callback = (sql: AnySql) => unknown;

/**
 * drizzle-orm's postgres-js driver sends every statement with `prepare: false`. postgres.js then
 * describes a statement that has parameters first and binds it when the answer is back: two
 * round trips per statement, and statements sent together inside a transaction are not
 * pipelined. This client asks for `prepare: true` instead, on the pool and in every transaction
 * and savepoint: postgres.js names each statement once per connection and caches it, so a
 * statement is one round trip, several sent together (`Promise.all`) share one, and PostgreSQL
 * neither parses nor plans it again. A pooler that cannot keep prepared statements (transaction
 * mode without protocol support) needs `DATABASE_PREPARE=false`, which leaves the client as
 * drizzle would.
 */
export function preparedStatements<T extends AnySql>(sql: T): T {
  const wrapLast = (args: unknown[]) => {
    const callback = args.at(-1) as Callback;
    return [...args.slice(0, -1), (inner: AnySql) => callback(preparedStatements(inner))];
  };
  return new Proxy(sql, {
    get(target, property, receiver) {
      if (property === "unsafe") {
        return (query: string, parameters?: postgres.ParameterOrJSON<never>[], options = {}) =>
          target.unsafe(query, parameters, { ...options, prepare: true });
      }
      if (property === "begin" || property === "savepoint") {
        const method = Reflect.get(target, property, receiver) as (...args: unknown[]) => unknown;
        return (...args: unknown[]) => method.apply(target, wrapLast(args));
      }
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}

/** Opens a connection (pool) only; nothing is migrated or checked here. */
export async function openDatabase(config: DatabaseConfig): Promise<DbHandle> {
  if (config.kind === "postgres") {
    const client = postgres(config.url, {
      max: config.poolMax ?? 10,
      connect_timeout: CONNECT_TIMEOUT_SECONDS,
      connection: { statement_timeout: STATEMENT_TIMEOUT_MS },
      backoff: reconnectBackoffSeconds,
      // A connection the server closed (a restart, a failover, `pg_ctl stop`): stop trusting
      // the last good probe, so the next request asks again instead of meeting the outage.
      onclose: () => reportDatabaseUnavailable(),
      onnotice: () => {},
    });
    return {
      kind: "postgres",
      db: drizzlePostgres({
        client: config.prepare === false ? client : preparedStatements(client),
        schema,
      }),
      close: () => client.end({ timeout: 5 }),
    };
  }
  // Loaded only for an embedded database: a server on PostgreSQL never needs PGlite's code.
  const [{ PGlite }, { drizzle: drizzlePglite }] = await Promise.all([
    import("@electric-sql/pglite"),
    import("drizzle-orm/pglite"),
  ]);
  const client = config.dir ? await PGlite.create(config.dir) : await PGlite.create();
  return { kind: "pglite", db: drizzlePglite({ client, schema }), close: () => client.close() };
}

/** Applies the committed migrations in `drizzle/`; safe to call from many processes at once. */
export async function migrateDatabase(config: DatabaseConfig, handle: DbHandle): Promise<void> {
  if (config.kind === "pglite") {
    // PGlite is one process's embedded database: no concurrent migrators to fence off.
    const { migrate: migratePglite } = await import("drizzle-orm/pglite/migrator");
    await migratePglite(handle.db as Parameters<typeof migratePglite>[0], {
      migrationsFolder: MIGRATIONS_FOLDER,
    });
    return;
  }
  // One connection of its own: a session-level advisory lock belongs to one session.
  const client = postgres(config.migrationUrl ?? config.url, { max: 1, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
    await migratePostgres(drizzlePostgres({ client }), { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await client`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`.catch(() => {});
    await client.end({ timeout: 5 });
  }
}

export interface JournalEntry {
  tag: string;
  /** drizzle-kit's timestamp of the migration; drizzle stores it as `created_at` when applied. */
  when: number;
}

/** The migrations this build carries, from drizzle-kit's journal. */
export function readJournal(folder = MIGRATIONS_FOLDER): JournalEntry[] {
  const journal = JSON.parse(readFileSync(path.join(folder, "meta", "_journal.json"), "utf8")) as {
    entries: JournalEntry[];
  };
  return journal.entries.map(({ tag, when }) => ({ tag, when }));
}

/**
 * The journal's migrations the database has not applied. drizzle's migrator applies exactly the
 * entries newer than the newest `created_at` in `drizzle.__drizzle_migrations`; the same rule
 * here means "nothing pending" ⇔ `npm run db:migrate` would do nothing. One small query.
 */
export async function pendingMigrations(
  db: Db,
  journal: readonly JournalEntry[] = readJournal(),
): Promise<string[]> {
  let last: number;
  try {
    const result = await db.execute<{ last: string | null }>(
      sql`select max(created_at)::text as last from drizzle.__drizzle_migrations`,
    );
    const value = rowsOf<{ last: string | null }>(result)[0]?.last;
    last = value == null ? Number.NEGATIVE_INFINITY : Number(value);
  } catch (error) {
    // 42P01 undefined_table (or its schema): this database was never migrated.
    if (!hasErrorCode(error, "42P01")) throw error;
    last = Number.NEGATIVE_INFINITY;
  }
  return journal.filter((entry) => entry.when > last).map((entry) => entry.tag);
}

/** Refuses a database that is behind this build's migrations (MigrationsBehindError). */
export async function assertMigrationsCurrent(
  db: Db,
  journal?: readonly JournalEntry[],
): Promise<void> {
  const pending = await pendingMigrations(db, journal);
  if (pending.length > 0) throw new MigrationsBehindError(pending);
}
