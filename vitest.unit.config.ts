import path from "node:path";
import { defineConfig } from "vitest/config";

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
    name: "unit",
    environment: "node",
    include: ["{lib,db,i18n,components,scripts}/**/*.test.ts"],
    env: { NODE_ENV: "test", LOG_LEVEL: "silent" },
  },
});
