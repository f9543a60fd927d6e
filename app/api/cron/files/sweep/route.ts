import { withCron } from "@/lib/http/cron";
import { json, methodsNotAllowed } from "@/lib/http/json";
import { sweepFiles } from "@/lib/jobs/sweep-files";
import { moduleLogger } from "@/lib/logger";
import { getRuntime } from "@/lib/runtime";
import { getStorage } from "@/lib/storage";

const log = moduleLogger("files-sweep");

/** Scheduled (vercel.json, daily): stamped PDF copies unused for 30 days, or of a replaced file. */
export const GET = withCron(async () => {
  const deps = await getRuntime();
  return json(await sweepFiles({ db: deps.db, now: deps.now, storage: getStorage(), log }));
});

/** Any other method: 405 with the JSON error. */
export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
