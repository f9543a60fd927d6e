import { withCron } from "@/lib/http/cron";
import { json } from "@/lib/http/json";
import { reconcileOrders } from "@/lib/jobs/reconcile-orders";
import { getRuntime } from "@/lib/runtime";

/** Scheduled (vercel.json): unapplied inbox events, pending QR orders, expiry. */
export const GET = withCron(async () => json(await reconcileOrders(await getRuntime())));
