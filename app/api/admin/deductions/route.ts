import { getDb } from "@/db";
import { adminGet } from "@/lib/admin/api";
import { deductionQuery, deductionsPage } from "@/lib/admin/subscriptions";
import { methodsNotAllowed } from "@/lib/http/json";

/** `GET /api/admin/deductions`: every logged Alipay exchange, filtered, newest first. */
export const GET = adminGet(deductionQuery, async (query) => deductionsPage(await getDb(), query));

/** Any other method: 405 with the JSON error. */
export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
