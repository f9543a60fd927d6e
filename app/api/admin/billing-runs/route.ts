import { getDb } from "@/db";
import { adminGet } from "@/lib/admin/api";
import { runsPage, runsQuery } from "@/lib/admin/runs-page";

/** `GET /api/admin/billing-runs`: job runs newest first; `status`, `job` (billing|orders), `cursor`, `limit`. */
export const GET = adminGet(runsQuery, async (query) => runsPage(await getDb(), query));
