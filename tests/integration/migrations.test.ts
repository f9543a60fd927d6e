import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { migrateDatabase, openDatabase } from "@/db/client";
import { getEnv } from "@/lib/env";
import { withTestDatabase } from "../helpers/db";

const t = withTestDatabase();

describe("migrations", () => {
  it("getDb() applied every committed migration and created both schemas", async () => {
    const db = await getDb();
    const result = await db.execute(
      sql`select table_schema || '.' || table_name as name from information_schema.tables
          where table_schema in ('public', 'sandbox') order by 1`,
    );
    const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as {
      name: string;
    }[];
    expect(rows.map((r) => r.name)).toEqual(
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
  });

  it("applying migrations again is a no-op (start-up after start-up)", async () => {
    const env = getEnv();
    const db = t.db();
    await db.execute(sql`select 1`);
    const handle = await openDatabase(env.database);
    try {
      // PGlite "memory://" opens a second, empty database: migrating it from scratch also works.
      await migrateDatabase(env.database, handle);
      await migrateDatabase(env.database, handle);
      await handle.db.execute(sql`select count(*) from users`);
    } finally {
      await handle.close();
    }
  });
});
