import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { asc } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { startDatabase } from "@/db";
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

/** Start, stop, start again on the same storage: the second start must change nothing. */
async function startTwice(config: DatabaseConfig) {
  const admin = getEnv().admin;
  const first = await startDatabase(config, admin);
  const before = await snapshot(first.handle.db);
  await first.handle.close();
  const second = await startDatabase(config, admin);
  const after = await snapshot(second.handle.db);
  await second.handle.close();
  return { first: first.seeded, second: second.seeded, before, after };
}

const tempDirs: string[] = [];
afterAll(() => tempDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe("start-up", () => {
  const env = getEnv();
  // Runs in both tiers: it brings its own PGlite directory.
  it("on a PGlite directory: migrates and seeds once", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "xiaopu-pglite-"));
    tempDirs.push(dir);
    const run = await startTwice({ kind: "pglite", dir });
    expect(run.first).toEqual({ productsCreated: 7, adminCreated: true });
    expect(run.second).toEqual({ productsCreated: 0, adminCreated: false });
    expect(run.after).toEqual(run.before);
  });

  // Only where the tier has a PostgreSQL server (reported as skipped on the PGlite tier).
  it.runIf(env.database.kind === "postgres")(
    "on PostgreSQL: a second start changes nothing",
    async () => {
      // The shared test database was emptied by withTestDatabase; start twice against it.
      const run = await startTwice(env.database);
      expect(run.first).toEqual({ productsCreated: 7, adminCreated: true });
      expect(run.second).toEqual({ productsCreated: 0, adminCreated: false });
      expect(run.after).toEqual(run.before);
      expect(run.after.products).toHaveLength(7);
    },
  );
});
