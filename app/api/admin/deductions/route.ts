import { getDb } from "@/db";
import { adminGet } from "@/lib/admin/api";
import { deductionQuery, deductionsPage } from "@/lib/admin/subscriptions";

/** `GET /api/admin/deductions`: every logged Alipay exchange, filtered, newest first. */
export const GET = adminGet(deductionQuery, async (query) => deductionsPage(await getDb(), query));
