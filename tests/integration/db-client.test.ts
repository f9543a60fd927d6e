import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { openDatabase, type Db } from "@/db/client";
import { getEnv } from "@/lib/env";

/*
 * db/client.ts `preparedStatements`: drizzle's postgres-js driver asks for unnamed statements,
 * which postgres.js describes first and binds after the answer (two round trips each, nothing
 * pipelined in a transaction). The shop's client asks for named ones, on the pool and inside
 * every transaction and savepoint; DATABASE_PREPARE=false leaves drizzle's way.
 */

const env = getEnv();

/** Whether this session holds a named statement for `text` (read on the same connection). */
async function isNamed(tx: Db, text: string): Promise<boolean> {
  const rows = (await tx.execute(
    sql`select count(*)::int as n from pg_prepared_statements where statement = ${text}`,
  )) as unknown as { n: number }[];
  return rows[0]!.n > 0;
}

const IN_TRANSACTION = "select $1::int + 1 as answer";
const IN_SAVEPOINT = "select $1::text || 'x' as answer";

/** A parameterised statement inside a transaction, another inside a savepoint. */
async function exercise(db: Db): Promise<{ inTransaction: boolean; inSavepoint: boolean }> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select ${41}::int + 1 as answer`);
    const inTransaction = await isNamed(tx, IN_TRANSACTION);
    const inSavepoint = await tx.transaction(async (nested) => {
      await nested.execute(sql`select ${"nested"}::text || 'x' as answer`);
      return isNamed(nested, IN_SAVEPOINT);
    });
    return { inTransaction, inSavepoint };
  });
}

describe.runIf(env.database.kind === "postgres")("the PostgreSQL client", () => {
  const url = env.database.kind === "postgres" ? env.database.url : "";

  it("names its statements in transactions and savepoints (one round trip each)", async () => {
    const handle = await openDatabase({ kind: "postgres", url, poolMax: 1 });
    try {
      expect(await exercise(handle.db)).toEqual({ inTransaction: true, inSavepoint: true });
      // Statements sent together in a transaction still come back in order, each its own.
      const answers = await handle.db.transaction(async (tx) =>
        Promise.all([1, 2, 3].map((n) => tx.execute(sql`select ${n}::int * 10 as v`))),
      );
      expect(answers.map((rows) => (rows as unknown as { v: number }[])[0]!.v)).toEqual([
        10, 20, 30,
      ]);
    } finally {
      await handle.close();
    }
  });

  it("leaves drizzle's unnamed statements with DATABASE_PREPARE=false (for poolers without them)", async () => {
    const handle = await openDatabase({ kind: "postgres", url, poolMax: 1, prepare: false });
    try {
      expect(await exercise(handle.db)).toEqual({ inTransaction: false, inSavepoint: false });
    } finally {
      await handle.close();
    }
  });
});
