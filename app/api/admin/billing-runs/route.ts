import { getDb } from "@/db";
import { adminGet } from "@/lib/admin/api";
import { runsPage, runsQuery } from "@/lib/admin/runs-page";
import { methodsNotAllowed } from "@/lib/http/json";

/** `GET /api/admin/billing-runs`: job runs newest first; `status`, `job` (billing|orders), `cursor`, `limit`. */
export const GET = adminGet(runsQuery, async (query) => runsPage(await getDb(), query));

/** Any other method: 405 with the JSON error. */
export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
