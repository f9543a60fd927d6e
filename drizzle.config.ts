import { defineConfig } from "drizzle-kit";

// Only generation uses this file; migrations are applied by `npm run db:migrate` (db/client.ts),
// and on open for PGlite. The index re-exports every file of db/schema/.
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema/index.ts",
  out: "./drizzle",
  schemaFilter: ["public", "sandbox"],
});
