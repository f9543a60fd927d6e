import { sql } from "drizzle-orm";
import { isPgEnum } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import { connectDatabase } from "@/db";
import {
  assertMigrationsCurrent,
  migrateDatabase,
  openDatabase,
  pendingMigrations,
  readJournal,
} from "@/db/client";
import { isDatabaseUnavailable, MigrationsBehindError } from "@/db/errors";
import * as schema from "@/db/schema";
import type { Db } from "@/db/client";
import { rowsOf } from "@/db/rows";
import { getEnv } from "@/lib/env";
import { withTestDatabase } from "../helpers/db";

const t = withTestDatabase();

/** Rows of db.execute on either driver. */
async function rows<T>(db: Db, query: ReturnType<typeof sql>): Promise<T[]> {
  return rowsOf<T>(await db.execute(query));
}

const enums = (Object.values(schema) as unknown[]).filter(isPgEnum);

describe("migrations", () => {
  it("every committed migration is applied and both schemas exist", async () => {
    const names = await rows<{ name: string }>(
      t.db(),
      sql`select table_schema || '.' || table_name as name from information_schema.tables
          where table_schema in ('public', 'sandbox') order by 1`,
    );
    expect(names.map((r) => r.name)).toEqual(
      expect.arrayContaining([
        "public.users",
        "public.products",
        "public.orders",
        "public.payments",
        "public.agreements",
        "public.charge_attempts",
        "public.deduction_logs",
        "public.entitlements",
        "public.webhook_inbox",
        "public.billing_runs",
        "public.audit_log",
        "public.signin_attempts",
        "sandbox.clock",
      ]),
    );
    expect(await pendingMigrations(t.db())).toEqual([]);
    expect(readJournal().map((entry) => entry.tag)).toContain("0003_inbox_dead");
  });

  it("every enum of the schema has exactly its values in the database (inbox_status: dead)", async () => {
    expect(enums.map((e) => e.enumName)).toContain("inbox_status");
    for (const pgEnum of enums) {
      const values = await rows<{ value: string }>(
        t.db(),
        sql`select e.enumlabel as value from pg_enum e join pg_type ty on ty.oid = e.enumtypid
            where ty.typname = ${pgEnum.enumName} order by e.enumsortorder`,
      );
      expect(
        values.map((v) => v.value),
        pgEnum.enumName,
      ).toEqual(pgEnum.enumValues);
    }
    expect(schema.inboxStatus.enumValues).toContain("dead");
  });

  it("applying migrations again is a no-op (a second migrate step)", async () => {
    const env = getEnv();
    const handle = await openDatabase(env.database);
    try {
      // PGlite "memory://" opens a second, empty database: migrating it from scratch also works.
      await migrateDatabase(env.database, handle);
      await migrateDatabase(env.database, handle);
      await handle.db.execute(sql`select count(*) from users`);
      expect(await pendingMigrations(handle.db)).toEqual([]);
    } finally {
      await handle.close();
    }
  });
});

describe("the migrations check of a server start", () => {
  it("names a journal entry the database has not applied, as an unavailable database", async () => {
    const journal = [...readJournal(), { tag: "9999_next_release", when: Date.now() + 60_000 }];
    expect(await pendingMigrations(t.db(), journal)).toEqual(["9999_next_release"]);
    const error = await assertMigrationsCurrent(t.db(), journal).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationsBehindError);
    expect((error as Error).message).toMatch(/9999_next_release.*npm run db:migrate/s);
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  // Runs in both tiers: it brings its own empty in-memory database.
  it("finds every migration pending in a database that was never migrated", async () => {
    const handle = await openDatabase({ kind: "pglite", dir: null });
    try {
      expect(await pendingMigrations(handle.db)).toEqual(readJournal().map((e) => e.tag));
    } finally {
      await handle.close();
    }
  });

  // PostgreSQL only: on PGlite, opening the database is the migrate step.
  it.runIf(getEnv().database.kind === "postgres")(
    "on PostgreSQL: refuses to serve a database behind this build, without migrating it",
    async () => {
      const env = getEnv();
      const db = t.db();
      // Make the newest migration look unapplied (files run one at a time on this tier).
      const [newest] = await rows<{ id: number; created_at: string }>(
        db,
        sql`select id, created_at::text from drizzle.__drizzle_migrations
            order by created_at desc limit 1`,
      );
      await db.execute(
        sql`update drizzle.__drizzle_migrations set created_at = created_at - 1 where id = ${newest!.id}`,
      );
      try {
        const error = await connectDatabase(env.database, env.admin).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(MigrationsBehindError);
        expect((error as MigrationsBehindError).pending).toEqual([readJournal().at(-1)!.tag]);
        // Nothing was applied behind the operator's back.
        const [after] = await rows<{ created_at: string }>(
          db,
          sql`select max(created_at)::text as created_at from drizzle.__drizzle_migrations`,
        );
        expect(Number(after!.created_at)).toBe(Number(newest!.created_at) - 1);
      } finally {
        await db.execute(
          sql`update drizzle.__drizzle_migrations set created_at = ${newest!.created_at}::bigint where id = ${newest!.id}`,
        );
      }
      const { handle, seeded } = await connectDatabase(env.database, env.admin);
      await handle.close();
      // A server start checks; it neither migrates nor seeds.
      expect(seeded).toBeUndefined();
    },
  );
});
