import { getDb } from "@/db";
import { seedDashboardDemo } from "@/lib/admin/dashboard-demo";
import { assertAdmin } from "@/lib/auth/guards";
import { json } from "@/lib/http/json";
import { now } from "@/lib/now";
import { sandboxRoute } from "@/lib/sandbox/youzan/http";

/**
 * `POST /sandbox/control/dashboard-demo`: fills the shop with 30 days of demo orders, payments,
 * agreements, runs and inbox rows (lib/admin/dashboard-demo.ts) on the shop's clock — sandbox
 * mode only (a 404 in live mode), and only for the admin, since it writes the shop's own
 * tables. 201 with what it wrote; 409 when the demo data is already there.
 */
export const POST = sandboxRoute(async () => {
  await assertAdmin();
  const db = await getDb();
  const summary = await seedDashboardDemo(db, await now());
  return json(summary, { status: 201 });
});
