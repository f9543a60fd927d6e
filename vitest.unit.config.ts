import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    name: "unit",
    environment: "node",
    include: ["{lib,db,i18n,components}/**/*.test.ts"],
    env: { NODE_ENV: "test", LOG_LEVEL: "silent" },
  },
});
