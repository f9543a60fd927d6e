import { withCron } from "@/lib/http/cron";
import { json, methodsNotAllowed } from "@/lib/http/json";
import { reconcileOrders } from "@/lib/jobs/reconcile-orders";
import { getRuntime } from "@/lib/runtime";

/** Scheduled (vercel.json): unapplied inbox events, pending QR orders, expiry. */
export const GET = withCron(async () => json(await reconcileOrders(await getRuntime())));

/** Any other method: 405 with the JSON error. */
export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
