import nextEnv from "@next/env";

// The same .env files as `next start` and `npm run db:migrate` (see there), before lib/env loads.
nextEnv.loadEnvConfig(process.cwd(), false);
const { closeDb, getDb } = await import("@/db");
const { seedDatabase } = await import("@/db/seed");
const { seedDelivery } = await import("@/db/seed-delivery");
const { getEnv } = await import("@/lib/env");
const { getStorage } = await import("@/lib/storage");

// The migrate step (and opening PGlite) already seeds; running it again shows it is idempotent.
const env = getEnv();
const db = await getDb();
const result = await seedDatabase(db, env.admin);
// Sandbox mode: the demo catalogue's files, lessons and members' post (never a live shop's).
const delivery = env.isSandbox ? await seedDelivery(db, getStorage()) : undefined;
await closeDb();
console.log(
  `seed: ${result.productsCreated} products created, admin created: ${result.adminCreated}` +
    (delivery
      ? `, ${delivery.filesCreated} files, ${delivery.lessonsCreated} lessons, ${delivery.postsCreated} posts`
      : ""),
);
