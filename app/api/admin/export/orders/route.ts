import { exportRoute } from "@/lib/admin/export-route";
import { methodsNotAllowed } from "@/lib/http/json";

/** The orders created in a date range, as CSV (lib/admin/export-route.ts). */
export const GET = exportRoute("orders");

/** Any other method: 405 with the JSON error. */
export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
