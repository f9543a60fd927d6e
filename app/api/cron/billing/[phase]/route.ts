import { isBillingPhase, runBillingPhase } from "@/lib/billing/run";
import { AppError } from "@/lib/errors";
import { withCron } from "@/lib/http/cron";
import { json, methodsNotAllowed } from "@/lib/http/json";
import { getBillingRuntime, kickNotices } from "@/lib/runtime";

/**
 * `/api/cron/billing/{charge,retry,postpone,reconcile}` (vercel.json): one billing phase over
 * every agreement it applies to, within the time budget. `GET` is what Vercel Cron sends; `POST`
 * the same for other schedulers. `?dryRun=1` reports what it would do and touches nothing.
 */
async function handle(request: Request, context: { params: Promise<{ phase: string }> }) {
  const { phase } = await context.params;
  if (!isBillingPhase(phase)) {
    throw new AppError("not_found", "No such billing phase: charge, retry, postpone or reconcile.");
  }
  const dryRun = ["1", "true"].includes(new URL(request.url).searchParams.get("dryRun") ?? "");
  const report = await runBillingPhase(await getBillingRuntime(), phase, { dryRun });
  // Renewals paid or declined wrote their notices: send them now.
  if (!dryRun) kickNotices();
  return json(report);
}

export const GET = withCron(handle);
export const POST = withCron(handle);
export const maxDuration = 60;

/** Any other method: 405 with the JSON error. */
export const { PUT, PATCH, DELETE } = methodsNotAllowed(["GET", "POST"]);
