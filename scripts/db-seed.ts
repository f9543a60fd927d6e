import { closeDb, getDb } from "@/db";
import { seedDatabase } from "@/db/seed";
import { getEnv } from "@/lib/env";

// getDb() already seeds on start; running the seed again shows it is idempotent.
const result = await seedDatabase(await getDb(), getEnv().admin);
await closeDb();
console.log(
  `seed: ${result.productsCreated} products created, admin created: ${result.adminCreated}`,
);
