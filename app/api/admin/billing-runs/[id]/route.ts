import { z } from "zod";
import { getDb } from "@/db";
import { adminGet } from "@/lib/admin/api";
import { runDetail } from "@/lib/admin/runs-page";
import { AppError } from "@/lib/errors";
import { methodsNotAllowed } from "@/lib/http/json";

/** `GET /api/admin/billing-runs/{id}`: one run with its summary. */
export const GET = adminGet(
  z.object({}),
  async (_query, _admin, context: { params: Promise<{ id: string }> }) => {
    const { id } = await context.params;
    const run = await runDetail(await getDb(), id);
    if (!run) throw new AppError("not_found", "No such run.");
    return run;
  },
);

/** Any other method: 405 with the JSON error. */
export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
