/**
 * Runs once when a server instance starts: validates the configuration (a live deployment with a
 * missing secret stops here, naming it) and migrates and seeds the database before traffic.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { getEnv } = await import("@/lib/env");
  getEnv();
  const { getDb } = await import("@/db");
  await getDb();
}
