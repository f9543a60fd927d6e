import { closeDb, getDb } from "@/db";

// Migrates (and seeds, idempotently) the configured database, then exits.
await getDb();
await closeDb();
console.log("database migrated and seeded");
