import { exportRoute } from "@/lib/admin/export-route";

/** The orders created in a date range, as CSV (lib/admin/export-route.ts). */
export const GET = exportRoute("orders");
