import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { asc, sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { connectDatabase, prepareDatabase } from "@/db";
import type { DatabaseConfig, Db } from "@/db/client";
import { products, users } from "@/db/schema";
import { getEnv } from "@/lib/env";
import { withTestDatabase } from "../helpers/db";

withTestDatabase();

async function snapshot(db: Db) {
  return {
    products: await db.select().from(products).orderBy(asc(products.slug)),
    users: await db.select().from(users).orderBy(asc(users.email)),
  };
}

type Step = typeof prepareDatabase | typeof connectDatabase;

/** Run `step`, stop, run it again on the same storage: the second run must change nothing. */
async function twice(step: Step, config: DatabaseConfig) {
  const admin = getEnv().admin;
  const first = await step(config, admin);
  const before = await snapshot(first.handle.db);
  await first.handle.close();
  const second = await step(config, admin);
  const after = await snapshot(second.handle.db);
  await second.handle.close();
  return { first: first.seeded, second: second.seeded, before, after };
}

const tempDirs: string[] = [];
afterAll(() => tempDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe("start-up", () => {
  const env = getEnv();
  // Runs in both tiers: it brings its own PGlite directory.
  it("on a PGlite directory: a server start migrates and seeds, once", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "xiaopu-pglite-"));
    tempDirs.push(dir);
    const run = await twice(connectDatabase, { kind: "pglite", dir });
    expect(run.first).toEqual({ productsCreated: 7, adminCreated: true });
    expect(run.second).toEqual({ productsCreated: 0, adminCreated: false });
    expect(run.after).toEqual(run.before);
  });

  // Only where the tier has a PostgreSQL server (reported as skipped on the PGlite tier).
  it.runIf(env.database.kind === "postgres")(
    "on PostgreSQL: a second migrate step changes nothing, and a server start only checks",
    async () => {
      // The shared test database was emptied by withTestDatabase; migrate (and seed) twice.
      const run = await twice(prepareDatabase, env.database);
      expect(run.first).toEqual({ productsCreated: 7, adminCreated: true });
      expect(run.second).toEqual({ productsCreated: 0, adminCreated: false });
      expect(run.after).toEqual(run.before);
      expect(run.after.products).toHaveLength(7);

      const start = await twice(connectDatabase, env.database);
      expect(start.first).toBeUndefined();
      expect(start.after).toEqual(run.after);
    },
  );

  it.runIf(env.database.kind === "postgres")(
    "on PostgreSQL: the pool opens at most DATABASE_POOL_MAX connections",
    async () => {
      if (env.database.kind !== "postgres") return;
      const { handle } = await connectDatabase({ ...env.database, poolMax: 2 }, env.admin);
      try {
        const pids = await Promise.all(
          Array.from({ length: 6 }, async () => {
            const result = await handle.db.execute<{ pid: number }>(
              sql`select pg_backend_pid() as pid, pg_sleep(0.05)`,
            );
            return (result as unknown as { pid: number }[])[0]!.pid;
          }),
        );
        expect(new Set(pids).size).toBeLessThanOrEqual(2);
      } finally {
        await handle.close();
      }
    },
  );
});
