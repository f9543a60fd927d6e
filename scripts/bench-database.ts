import postgres from "postgres";
import { migrateDatabase, openDatabase } from "@/db/client";

/**
 * A bench's database from nothing: the shop's, the sandbox's and drizzle's schemas dropped, then
 * every migration. Only for a local database (the benches check the URL first).
 */
export async function rebuildBenchDatabase(url: string): Promise<void> {
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(
      "drop schema if exists drizzle cascade; drop schema if exists sandbox cascade; drop schema if exists public cascade; create schema public;",
    );
  } finally {
    await admin.end();
  }
  const config = { kind: "postgres" as const, url, poolMax: 1 };
  const handle = await openDatabase(config);
  try {
    await migrateDatabase(config, handle);
  } finally {
    await handle.close();
  }
}
