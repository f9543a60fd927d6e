import { existsSync } from "node:fs";
import { defineConfig, devices } from "@playwright/test";

const PORT = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${PORT}`;
const s3BaseURL = `http://127.0.0.1:${PORT + 1}`;
const CI = Boolean(process.env.CI);
// Run last, one at a time: specs that move the sandbox clock, and admin-catalog and
// admin-content, which put products on sale (other specs count the catalogue's products).
const CLOCK_SPECS =
  /(admin-billing|checkout-clock|admin-catalog|admin-subscriptions|admin-content|password-reset)\.spec\.ts$/;

// Debian's Chromium where present; Playwright's own browser only where that path is absent.
const SYSTEM_CHROMIUM = "/usr/bin/chromium";
const executablePath = existsSync(SYSTEM_CHROMIUM) ? SYSTEM_CHROMIUM : undefined;

export default defineConfig({
  testDir: "tests/e2e",
  outputDir: "test-results/e2e",
  // A whole flow (sign up, buy or sign, pay at the sandbox, see the result, screenshots) on a
  // two-core machine running the production server and two browsers: 30 s was crossed by flows
  // that took 20–30 s on a quiet run. Each step still fails on its own (expect: 10 s).
  timeout: 90_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 2,
  forbidOnly: CI,
  reporter: [["list"], ["json", { outputFile: ".reports/e2e.json" }]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  projects: [
    {
      name: "chromium",
      use: { ...devices["Desktop Chrome"], channel: undefined },
      testIgnore: CLOCK_SPECS,
    },
    // The delivery spec again, against the server whose files are on S3 (s3rver).
    {
      name: "s3",
      use: { ...devices["Desktop Chrome"], channel: undefined, baseURL: s3BaseURL },
      testMatch: /delivery\.spec\.ts$/,
    },
    // Specs that move the shared sandbox clock run after every other spec, never beside one
    // whose dates they would shift.
    {
      name: "clock",
      use: { ...devices["Desktop Chrome"], channel: undefined },
      testMatch: CLOCK_SPECS,
      dependencies: ["chromium"],
      // One at a time: each moves the one clock, and reads it (offsets, time left) in between.
      workers: 1,
    },
  ],
  webServer: [
    {
      // A production build on a fresh embedded database, in sandbox mode (scripts/e2e-server.ts).
      command: "npx tsx scripts/e2e-server.ts",
      url: `${baseURL}/api/health`,
      timeout: 600_000,
      reuseExistingServer: !CI,
      stdout: "pipe",
      stderr: "pipe",
      env: { E2E_PORT: String(PORT) },
    },
    {
      // The same build with its files on an S3-protocol server (s3rver): the delivery spec
      // passes on both storage drivers (issue #12). Starts once the first one has built.
      command: "npx tsx scripts/e2e-server.ts",
      url: `${s3BaseURL}/api/health`,
      timeout: 600_000,
      reuseExistingServer: !CI,
      stdout: "pipe",
      stderr: "pipe",
      env: {
        E2E_PORT: String(PORT + 1),
        E2E_STORAGE: "s3",
        E2E_SKIP_BUILD: "1",
        E2E_WAIT_FOR: `${baseURL}/api/health`,
      },
    },
  ],
});
