import nextEnv from "@next/env";

/*
 * `npm run db:migrate`: the migrate step of a deploy (`npm start` and the Vercel build run it
 * first). Applies the committed migrations in drizzle/ to the configured database under an
 * advisory lock, seeds what is missing (idempotent), then exits. The server only checks that
 * this has been done (db/index.ts).
 */

// The same .env files `next start` reads (set variables win), so both see one database. Before
// anything imports lib/env: the logger reads the configuration when it is imported.
nextEnv.loadEnvConfig(process.cwd(), false);
const { prepareDatabase } = await import("@/db");
const { getEnv } = await import("@/lib/env");
const { getStorage } = await import("@/lib/storage");

const env = getEnv();
// Sandbox mode: the demo catalogue's files, lessons and members' post too (db/seed-delivery.ts).
const { handle, seeded } = await prepareDatabase(
  env.database,
  env.admin,
  env.isSandbox ? getStorage() : undefined,
);
await handle.close();
const delivery = seeded.delivery
  ? `, ${seeded.delivery.filesCreated} files, ${seeded.delivery.lessonsCreated} lessons, ${seeded.delivery.postsCreated} posts`
  : "";
console.log(
  `database migrated (${env.database.kind}); seed: ${seeded.productsCreated} products created, admin created: ${seeded.adminCreated}${delivery}`,
);
