import { getDb } from "@/db";
import { pingDatabase } from "@/db/queries/health";
import { getEnv } from "@/lib/env";
import { json } from "@/lib/http/json";
import { unproxiedMethodsNotAllowed, unproxiedRoute } from "@/lib/http/unproxied-route";

/**
 * For load balancers and uptime checks: 200 when the database answers. Not behind the proxy
 * (lib/http/unproxied-route.ts) and not behind its database gate: it answers for itself.
 */
export const GET = unproxiedRoute(
  async () => {
    await pingDatabase(await getDb());
    const env = getEnv();
    return json({ ok: true, paymentsMode: env.paymentsMode, database: env.database.kind });
  },
  { gate: false },
);

/** Any other method: 405 with the JSON error. */
export const { POST, PUT, PATCH, DELETE } = unproxiedMethodsNotAllowed(["GET"]);
