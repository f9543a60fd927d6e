import { z } from "zod";
import { getDb } from "@/db";
import { noticeDetail } from "@/lib/admin/notices";
import { adminGet } from "@/lib/admin/api";
import { AppError } from "@/lib/errors";
import { methodsNotAllowed } from "@/lib/http/json";

/** `GET /api/admin/notices/{id}`: one notice, its data with sealed values masked. */
export const GET = adminGet(
  z.object({}),
  async (_query, _admin, context: { params: Promise<{ id: string }> }) => {
    const { id } = await context.params;
    const detail = await noticeDetail(await getDb(), id);
    if (!detail) throw new AppError("not_found", "No such notice.");
    return detail;
  },
);

/** Any other method: 405 with the JSON error. */
export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
