import nextEnv from "@next/env";

// The same .env files as `next start` and `npm run db:migrate` (see there), before lib/env loads.
nextEnv.loadEnvConfig(process.cwd(), false);
const { closeDb, getDb } = await import("@/db");
const { seedDatabase } = await import("@/db/seed");
const { getEnv } = await import("@/lib/env");

// The migrate step (and opening PGlite) already seeds; running it again shows it is idempotent.
const result = await seedDatabase(await getDb(), getEnv().admin);
await closeDb();
console.log(
  `seed: ${result.productsCreated} products created, admin created: ${result.adminCreated}`,
);
