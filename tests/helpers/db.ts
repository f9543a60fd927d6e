import { is, sql } from "drizzle-orm";
import { getTableConfig, PgTable } from "drizzle-orm/pg-core";
import { afterAll, beforeEach } from "vitest";
import { closeDb, getDb, type Db } from "@/db";
import * as schema from "@/db/schema";
import { seedDatabase } from "@/db/seed";
import { getEnv } from "@/lib/env";

const tables = (Object.values(schema) as unknown[]).filter((value): value is PgTable =>
  is(value, PgTable),
);

/** Empties every table of the shop and the sandbox schema (not the migrations journal). */
export async function resetDatabase(db: Db): Promise<void> {
  const names = tables.map((table) => {
    const { name, schema: schemaName } = getTableConfig(table);
    return `"${schemaName ?? "public"}"."${name}"`;
  });
  await db.execute(sql.raw(`TRUNCATE ${names.join(", ")} RESTART IDENTITY CASCADE`));
}

export async function seed(db: Db) {
  return seedDatabase(db, getEnv().admin);
}

/**
 * The database of this test file, reached through the same `getDb()` the app uses (which
 * migrates and seeds it); every test starts from empty tables.
 */
export function withTestDatabase(): { db: () => Db } {
  let current: Db | undefined;
  beforeEach(async () => {
    current ??= await getDb();
    await resetDatabase(current);
  });
  afterAll(async () => {
    await closeDb();
    current = undefined;
  });
  return {
    db: () => {
      if (!current) throw new Error("withTestDatabase: the database is opened in beforeEach");
      return current;
    },
  };
}
