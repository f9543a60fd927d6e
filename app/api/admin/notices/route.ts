import { getDb } from "@/db";
import { noticeListQuery, noticesPage } from "@/lib/admin/notices";
import { adminGet } from "@/lib/admin/api";

/**
 * `GET /api/admin/notices`: the outbox newest first; `status`, `kind`, `channel`, `recipient`
 * (beginning of the address), `from`/`to` (Shanghai days), `cursor`, `limit`.
 */
export const GET = adminGet(noticeListQuery, async (query) => noticesPage(await getDb(), query));
