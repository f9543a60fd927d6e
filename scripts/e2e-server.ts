import { spawn, spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { assertLocalDatabaseUrl } from "../tests/helpers/local-database";

/*
 * The server the Playwright tier drives: `next build` (skipped with E2E_SKIP_BUILD=1 when a build
 * exists), then what `npm start` does — the migrate step, then server.mjs — in sandbox mode on a
 * fresh PGlite directory, or on E2E_DATABASE_URL (local PostgreSQL only: the tests write to it).
 */
const port = process.env.E2E_PORT ?? "3100";
const pgliteDir = ".data/e2e-pglite";
const databaseUrl = process.env.E2E_DATABASE_URL;
if (databaseUrl) assertLocalDatabaseUrl(databaseUrl);

const env: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: "production",
  NEXT_TELEMETRY_DISABLED: "1",
  PAYMENTS_MODE: "sandbox",
  PORT: port,
  APP_URL: `http://127.0.0.1:${port}`,
  DATABASE_URL: databaseUrl ?? "",
  PGLITE_DIR: pgliteDir,
  LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
  // The specs make more sign-ups from one machine than a real client may, and tell their clients
  // apart with X-Forwarded-For (tests/e2e/helpers.ts uniqueIp), as a proxy in front would.
  RATE_LIMIT_SCALE: "50",
  TRUSTED_PROXY_HOPS: "1",
};

rmSync(pgliteDir, { recursive: true, force: true });
if (process.env.E2E_SKIP_BUILD !== "1") {
  const build = spawnSync("npx", ["next", "build"], { stdio: "inherit", env });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
// On PostgreSQL the server only checks the migrations; on PGlite this is harmless repetition.
const migrate = spawnSync("npm", ["run", "--silent", "db:migrate"], { stdio: "inherit", env });
if (migrate.status !== 0) process.exit(migrate.status ?? 1);
const server = spawn(process.execPath, ["server.mjs"], {
  stdio: "inherit",
  env: { ...env, LISTEN_HOST: "127.0.0.1" },
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => server.kill(signal));
}
server.on("exit", (code) => process.exit(code ?? 0));
