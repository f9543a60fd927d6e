import { exportRoute } from "@/lib/admin/export-route";

/** The deduction logs (every Alipay call of the billing) of a date range, as CSV. */
export const GET = exportRoute("deductions");
