import { getDb } from "@/db";
import { pingDatabase } from "@/db/queries/health";
import { getEnv } from "@/lib/env";
import { json, methodsNotAllowed, route } from "@/lib/http/json";

/** For load balancers and uptime checks: 200 when the database answers. */
export const GET = route(async () => {
  await pingDatabase(await getDb());
  const env = getEnv();
  return json({ ok: true, paymentsMode: env.paymentsMode, database: env.database.kind });
});

/** Any other method: 405 with the JSON error. */
export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
