import { sql } from "drizzle-orm";
import { getDb } from "@/db";
import { getEnv } from "@/lib/env";
import { json, route } from "@/lib/http/json";

/** For load balancers and uptime checks: 200 when the database answers. */
export const GET = route(async () => {
  const db = await getDb();
  await db.execute(sql`select 1`);
  const env = getEnv();
  return json({ ok: true, paymentsMode: env.paymentsMode, database: env.database.kind });
});
