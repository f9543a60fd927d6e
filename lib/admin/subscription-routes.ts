import "server-only";
import { z } from "zod";
import type { Db } from "@/db/client";
import { adminAgreementDetail } from "@/db/queries/admin-subscriptions";
import { assertAdmin } from "@/lib/auth/guards";
import { AppError } from "@/lib/errors";
import { json, readJson, route } from "@/lib/http/json";
import { moduleLogger } from "@/lib/logger";
import { getBillingRuntime } from "@/lib/runtime";
import { SUBSCRIPTION_ACTION_RUNNERS, SUBSCRIPTION_ACTIONS } from "./subscriptions";

const log = moduleLogger("admin-subscriptions");

/** The subscription's page as JSON; 404 for an unknown id. */
export async function subscriptionDetail(db: Db, id: string) {
  const detail = await adminAgreementDetail(db, id);
  if (!detail) throw new AppError("not_found", "There is no such subscription.");
  return detail;
}

/**
 * The body of an action: JSON (a cross-site form cannot send it), and "unsign" must say so
 * (`{"confirm":"unsign"}`): the page asks the owner first, and a stray call cannot end an
 * agreement.
 */
const actionBody = z.strictObject({ confirm: z.enum(SUBSCRIPTION_ACTIONS).optional() });

export const subscriptionActionRoute = route(
  async (request: Request, context: { params: Promise<{ id: string; action: string }> }) => {
    const admin = await assertAdmin();
    const { id, action } = await context.params;
    const known = SUBSCRIPTION_ACTIONS.find((name) => name === action);
    if (!known) throw new AppError("not_found", `There is no action "${action}".`);
    const body = await readJson(request, actionBody);
    if (known === "unsign" && body.confirm !== "unsign") {
      throw new AppError("bad_request", 'Unsigning must be confirmed: send {"confirm":"unsign"}.');
    }
    const result = await SUBSCRIPTION_ACTION_RUNNERS[known](await getBillingRuntime(), id, admin);
    log.info({ adminId: admin.id, agreementId: id, action: known, result }, "subscription action");
    return json(result);
  },
);
