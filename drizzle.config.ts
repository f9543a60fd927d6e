import { defineConfig } from "drizzle-kit";

// Only generation uses this file; migrations are applied by db/migrate.ts at start-up and in tests.
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema.ts",
  out: "./drizzle",
  schemaFilter: ["public", "sandbox"],
});
