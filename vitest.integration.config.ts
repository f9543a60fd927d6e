import { tmpdir } from "node:os";
import path from "node:path";
import { defineConfig } from "vitest/config";

/*
 * Runs on PGlite (in memory, one database per file) unless TEST_DATABASE_URL points at a
 * PostgreSQL server; then files share that database and run one at a time.
 */
const onPostgres = Boolean(process.env.TEST_DATABASE_URL);

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(import.meta.dirname),
      // `server-only` throws unless resolved with the `react-server` condition, as Next does for
      // server code; tests are server code, so they get that condition's build: an empty module.
      // (Setting the condition itself would also switch react to its server build.)
      "server-only": path.resolve(import.meta.dirname, "node_modules/server-only/empty.js"),
    },
  },
  test: {
    name: onPostgres ? "integration-postgres" : "integration-pglite",
    environment: "node",
    include: ["tests/integration/**/*.test.ts"],
    globalSetup: ["tests/helpers/global-setup.ts"],
    fileParallelism: !onPostgres,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: {
      NODE_ENV: "test",
      LOG_LEVEL: "silent",
      PAYMENTS_MODE: "sandbox",
      // Files stored by code under test go to a scratch folder, never the checkout's .data.
      STORAGE_LOCAL_DIR: path.join(tmpdir(), "xiaopu-test-files"),
      ...(onPostgres
        ? { DATABASE_URL: process.env.TEST_DATABASE_URL }
        : { DATABASE_URL: "", PGLITE_DIR: "memory://" }),
    },
  },
});
