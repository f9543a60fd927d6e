import { withCron } from "@/lib/http/cron";
import { json } from "@/lib/http/json";
import { reconcileOrders } from "@/lib/orders/reconcile";
import { getYouzanWebhookDeps } from "@/lib/webhooks/youzan";

/** Scheduled (vercel.json): pending QR orders, unapplied pushes, expiry. */
export const GET = withCron(async () => json(await reconcileOrders(await getYouzanWebhookDeps())));
