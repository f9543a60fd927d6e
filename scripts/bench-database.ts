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

export interface Credentials {
  email: string;
  password: string;
}

/**
 * A bench's (or the reliability tier's) shop from nothing: rebuilt as above, seeded with the
 * catalogue and `admin`, and `buyers` signed up (one password hash per distinct password).
 */
export async function seedBenchDatabase(
  url: string,
  admin: Credentials,
  buyers: readonly Credentials[] = [],
): Promise<void> {
  // Imported here: the shop's modules read the environment the caller set up first.
  const { seedDatabase } = await import("@/db/seed");
  const { users } = await import("@/db/schema");
  const { hashPassword } = await import("@/lib/auth/password");
  const { newId } = await import("@/lib/ids");
  await rebuildBenchDatabase(url);
  const handle = await openDatabase({ kind: "postgres", url, poolMax: 2 });
  try {
    await seedDatabase(handle.db, admin);
    const hashes = new Map<string, string>();
    for (const { password } of buyers) {
      if (!hashes.has(password)) hashes.set(password, await hashPassword(password));
    }
    for (let i = 0; i < buyers.length; i += 500) {
      await handle.db.insert(users).values(
        buyers.slice(i, i + 500).map(({ email, password }) => ({
          id: newId("usr"),
          email,
          passwordHash: hashes.get(password)!,
        })),
      );
    }
  } finally {
    await handle.close();
  }
}
