import { z } from "zod";
import { getDb } from "@/db";
import { adminGet } from "@/lib/admin/api";
import { inboxDetail } from "@/lib/admin/inbox";
import { AppError } from "@/lib/errors";
import { methodsNotAllowed } from "@/lib/http/json";

/** `GET /api/admin/webhook-events/{id}`: one delivery, its payload and headers redacted. */
export const GET = adminGet(
  z.object({}),
  async (_query, _admin, context: { params: Promise<{ id: string }> }) => {
    const { id } = await context.params;
    const detail = await inboxDetail(await getDb(), id);
    if (!detail) throw new AppError("not_found", "No such webhook delivery.");
    return detail;
  },
);

/** Any other method: 405 with the JSON error. */
export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
