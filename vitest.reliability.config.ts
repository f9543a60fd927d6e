import { tmpdir } from "node:os";
import path from "node:path";
import { defineConfig } from "vitest/config";

/*
 * `npm run test:reliability` (issue #14): the fault matrix, fuzzed input and load, on
 * PostgreSQL (RELIABILITY_DATABASE_URL, default the local `test_reliability` database, created
 * when missing). Files run one at a time; the HTTP files start the production build
 * (tests/reliability/shop-server.ts) on a database of their own.
 */
const url =
  process.env.RELIABILITY_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test_reliability";

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(import.meta.dirname),
      "server-only": path.resolve(import.meta.dirname, "node_modules/server-only/empty.js"),
    },
  },
  test: {
    name: "reliability",
    environment: "node",
    include: ["tests/reliability/**/*.test.ts"],
    globalSetup: ["tests/reliability/global-setup.ts"],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 600_000,
    env: {
      NODE_ENV: "test",
      LOG_LEVEL: "silent",
      PAYMENTS_MODE: "sandbox",
      STORAGE_LOCAL_DIR: path.join(tmpdir(), "xiaopu-reliability-files"),
      TEST_DATABASE_URL: url,
      DATABASE_URL: url,
    },
  },
});
