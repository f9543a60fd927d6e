/**
 * Runs once when a server instance starts: validates the configuration (a live deployment with a
 * missing secret stops here, naming it), migrates and seeds the database before traffic, and in
 * sandbox mode starts the payment sandbox's clock-driven work (pushes, retries, expiries).
 */
export async function register(): Promise<void> {
  // NEXT_RUNTIME is Next's own marker of the runtime, not configuration (lib/env.ts owns that).
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { getEnv } = await import("@/lib/env");
  const env = getEnv();
  const { getDb } = await import("@/db");
  await getDb();
  if (env.isSandbox) {
    const { startYouzanSandboxTicker } = await import("@/lib/sandbox/youzan/ticker");
    startYouzanSandboxTicker();
  }
}
