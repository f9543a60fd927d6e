import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { assertLocalDatabaseUrl } from "../tests/helpers/local-database";
import { startS3Server } from "../tests/helpers/s3-server";
import { serverEnv, serverNodeArgs } from "./server-command";

/*
 * The server the Playwright tier drives: `next build` (skipped with E2E_SKIP_BUILD=1 when a build
 * exists), then what `npm start` does — the migrate step, then server.mjs — in sandbox mode on a
 * fresh PGlite directory, or on E2E_DATABASE_URL (local PostgreSQL only: the tests write to it).
 * Files go to a fresh local folder, or with E2E_STORAGE=s3 to an S3-protocol server (s3rver)
 * started here — the second server of playwright.config.ts, which runs the delivery spec again
 * on the S3 driver. E2E_WAIT_FOR: a URL to wait for first (the other server, which builds).
 */
const port = process.env.E2E_PORT ?? "3100";
// One folder per port: two servers (local and S3 storage) run side by side.
const pgliteDir = port === "3100" ? ".data/e2e-pglite" : `.data/e2e-pglite-${port}`;
const filesDir = `.data/e2e-files-${port}`;
const s3 = process.env.E2E_STORAGE === "s3" ? await startS3Server() : null;
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
  STORAGE_LOCAL_DIR: filesDir,
  ...(s3
    ? {
        STORAGE_S3_BUCKET: s3.config.bucket,
        STORAGE_S3_ENDPOINT: s3.config.endpoint ?? "",
        STORAGE_S3_REGION: s3.config.region,
        STORAGE_S3_ACCESS_KEY_ID: s3.config.accessKeyId,
        STORAGE_S3_SECRET_ACCESS_KEY: s3.config.secretAccessKey,
        STORAGE_S3_FORCE_PATH_STYLE: String(s3.config.forcePathStyle),
      }
    : {}),
  LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
  // The specs make more sign-ups from one machine than a real client may, and tell their clients
  // apart with X-Forwarded-For (tests/e2e/helpers.ts uniqueIp), as a proxy in front would.
  RATE_LIMIT_SCALE: "50",
  TRUSTED_PROXY_HOPS: "1",
};

rmSync(pgliteDir, { recursive: true, force: true });
rmSync(filesDir, { recursive: true, force: true });
const waitFor = process.env.E2E_WAIT_FOR;
if (waitFor) {
  // The other server builds: this one starts once that one answers (the build is then done).
  const deadline = Date.now() + 600_000;
  for (;;) {
    const ok = await fetch(waitFor).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`${waitFor} did not answer within 10 minutes`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
/** Runs a command to its end without blocking this process (the S3 server answers meanwhile). */
function run(command: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    spawn(command, args, { stdio: "inherit", env }).on("exit", (code) => resolve(code ?? 1));
  });
}
if (process.env.E2E_SKIP_BUILD !== "1") {
  const built = await run("npx", ["next", "build"]);
  if (built !== 0) process.exit(built);
}
// On PostgreSQL the server only checks the migrations; on PGlite this is harmless repetition.
// The migrate step seeds the demo files into storage: with E2E_STORAGE=s3, into the S3 server
// this process runs, so it must not block (spawnSync would deadlock the two).
const migrated = await run("npm", ["run", "--silent", "db:migrate"]);
if (migrated !== 0) process.exit(migrated);
const server = spawn(process.execPath, serverNodeArgs(env), {
  stdio: "inherit",
  env: serverEnv({ ...env, LISTEN_HOST: "127.0.0.1" }),
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => server.kill(signal));
}
server.on("exit", (code) => {
  void (s3?.stop() ?? Promise.resolve()).finally(() => process.exit(code ?? 0));
});
