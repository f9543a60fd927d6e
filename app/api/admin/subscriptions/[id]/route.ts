import { z } from "zod";
import { getDb } from "@/db";
import { adminGet } from "@/lib/admin/api";
import { subscriptionDetail } from "@/lib/admin/subscription-routes";
import { methodsNotAllowed } from "@/lib/http/json";

/** `GET /api/admin/subscriptions/{id}`: the agreement, its periods, attempts, logs and audit. */
export const GET = adminGet(
  z.object({}),
  async (_query, _admin, context: { params: Promise<{ id: string }> }) =>
    subscriptionDetail(await getDb(), (await context.params).id),
);

/** Any other method: 405 with the JSON error. */
export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
