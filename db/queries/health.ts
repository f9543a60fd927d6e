import "server-only";
import { sql } from "drizzle-orm";
import type { Db } from "../client";

/** One round trip: throws when the database cannot answer. */
export async function pingDatabase(db: Db): Promise<void> {
  await db.execute(sql`select 1`);
}
