import { withCron } from "@/lib/http/cron";
import { json, methodsNotAllowed } from "@/lib/http/json";
import { runNoticesJob } from "@/lib/jobs/send-notices";
import { getNoticeRuntime } from "@/lib/runtime";

/** Scheduled (vercel.json): reminders, lapses and the digest written, then due notices sent. */
const handler = withCron(async () => json(await runNoticesJob(await getNoticeRuntime())));
export const GET = handler;
export const POST = handler;

/** Any other method: 405 with the JSON error. */
export const { PUT, PATCH, DELETE } = methodsNotAllowed(["GET", "POST"]);
