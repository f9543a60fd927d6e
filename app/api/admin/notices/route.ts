import { getDb } from "@/db";
import { noticeListQuery, noticesPage } from "@/lib/admin/notices";
import { adminGet } from "@/lib/admin/api";
import { methodsNotAllowed } from "@/lib/http/json";

/**
 * `GET /api/admin/notices`: the outbox newest first; `status`, `kind`, `channel`, `recipient`
 * (beginning of the address), `from`/`to` (Shanghai days), `cursor`, `limit`.
 */
export const GET = adminGet(noticeListQuery, async (query) => noticesPage(await getDb(), query));

/** Any other method: 405 with the JSON error. */
export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
