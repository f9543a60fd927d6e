import { endAgreement, findActiveAgreementOf } from "@/db/queries/agreements";
import { insertAudit } from "@/db/queries/audit";
import { AppError } from "@/lib/errors";
import { logExchange } from "./charge";
import { notifyUrls, type SubscriptionDeps } from "./deps";

/**
 * "Cancel auto-renewal": the shop unsigns the buyer's agreement at Alipay
 * (`alipay.user.agreement.unsign`), then closes it. The paid time stays. An agreement Alipay no
 * longer knows is closed as well; any other failure leaves it active and says so (503).
 */
export async function cancelAutoRenewal(
  deps: SubscriptionDeps,
  input: { userId: string },
): Promise<{ agreementId: string }> {
  const agreement = await findActiveAgreementOf(deps.db, input.userId);
  if (!agreement) throw new AppError("not_found", "There is no automatic renewal to cancel.");
  const result = await deps.alipay.gateway.unsignAgreement({
    agreementNo: agreement.agreementNo!,
    notifyUrl: notifyUrls(deps.alipay.appUrl).gateway,
  });
  await logExchange(deps, result.exchange, agreement, null, null, result.kind);
  if (result.kind !== "succeeded" && result.kind !== "agreement_gone") {
    throw new AppError(
      result.kind === "unknown" ? "provider_unavailable" : "conflict",
      `Alipay did not cancel the agreement (${result.code}); it still renews. Please try again.`,
    );
  }
  const at = await deps.now();
  await endAgreement(deps.db, agreement.id, "closed", at);
  await insertAudit(deps.db, {
    actorKind: "user",
    actorUserId: input.userId,
    action: "agreement.cancelled",
    targetType: "agreement",
    targetId: agreement.id,
    details: { agreementNo: agreement.agreementNo, alipay: result.kind },
  });
  return { agreementId: agreement.id };
}
