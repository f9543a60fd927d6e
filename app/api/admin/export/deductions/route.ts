import { exportRoute } from "@/lib/admin/export-route";
import { methodsNotAllowed } from "@/lib/http/json";

/** The deduction logs (every Alipay call of the billing) of a date range, as CSV. */
export const GET = exportRoute("deductions");

/** Any other method: 405 with the JSON error. */
export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
