import { noticeAgreementEnded } from "@/lib/notices/triggers";
import { endAgreement, findActiveAgreementOf } from "@/db/queries/agreements";
import { insertAudit, type NewAuditEntry } from "@/db/queries/audit";
import type { Agreement } from "@/db/schema";
import { AppError } from "@/lib/errors";
import type { AlipayOutcomeKind } from "@/lib/payments/alipay";
import { logExchange } from "./charge";
import { notifyUrls, type SubscriptionDeps } from "./deps";

/** What came of an unsign: ended here (Alipay unsigned it, or no longer had it), or refused. */
export type UnsignResult =
  | { ended: true; alipay: "succeeded" | "agreement_gone" }
  | {
      ended: false;
      alipay: Exclude<AlipayOutcomeKind, "succeeded">;
      code: string;
      message: string;
    };

/**
 * Unsigns an active agreement at Alipay (`alipay.user.agreement.unsign`), then closes it here
 * with its audit row in one transaction. An agreement Alipay no longer has is closed as well;
 * any other answer leaves it active. The paid time stays either way. Shared by the buyer's
 * "cancel auto-renewal" and the admin's "unsign".
 */
export async function unsignAgreement(
  deps: SubscriptionDeps,
  agreement: Agreement & { agreementNo: string },
  audit: Pick<NewAuditEntry, "actorKind" | "actorUserId" | "action"> & {
    details?: Record<string, unknown>;
  },
): Promise<UnsignResult> {
  const result = await deps.alipay.gateway.unsignAgreement({
    agreementNo: agreement.agreementNo,
    notifyUrl: notifyUrls(deps.alipay.appUrl).gateway,
  });
  await logExchange(deps, result.exchange, agreement, null, null, result.kind);
  if (result.kind !== "succeeded" && result.kind !== "agreement_gone") {
    return { ended: false, alipay: result.kind, code: result.code, message: result.message };
  }
  const at = await deps.now();
  await deps.db.transaction(async (tx) => {
    // Already ended (a notification won the race): nothing to record.
    if (!(await endAgreement(tx, agreement.id, "closed", at))) return;
    await insertAudit(tx, {
      ...audit,
      targetType: "agreement",
      targetId: agreement.id,
      details: {
        ...audit.details,
        agreementNo: agreement.agreementNo,
        alipay: result.kind,
        before: { status: agreement.status, autoRenew: agreement.autoRenew },
        after: { status: "closed", autoRenew: false },
      },
    });
    await noticeAgreementEnded(tx, agreement.id, "shop");
  });
  return { ended: true, alipay: result.kind };
}

/**
 * "Cancel auto-renewal": the shop unsigns the buyer's agreement at Alipay, then closes it. The
 * paid time stays. Any failure but "Alipay no longer has it" leaves it active and says so (503).
 */
export async function cancelAutoRenewal(
  deps: SubscriptionDeps,
  input: { userId: string },
): Promise<{ agreementId: string }> {
  const agreement = await findActiveAgreementOf(deps.db, input.userId);
  if (!agreement) throw new AppError("not_found", "There is no automatic renewal to cancel.");
  const result = await unsignAgreement(
    deps,
    { ...agreement, agreementNo: agreement.agreementNo! },
    { actorKind: "user", actorUserId: input.userId, action: "agreement.cancelled" },
  );
  if (!result.ended) {
    throw new AppError(
      result.alipay === "unknown" ? "provider_unavailable" : "conflict",
      `Alipay did not cancel the agreement (${result.code}); it still renews. Please try again.`,
    );
  }
  return { agreementId: agreement.id };
}
