import { endAgreement } from "@/db/queries/agreements";
import type { Agreement } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { logExchange } from "./charge";
import type { SubscriptionDeps } from "./deps";
import { onAgreementSigned } from "./notifications";

/**
 * A waiting agreement that can no longer be finished as it is — paid without signing (the app's
 * "pay only"), or waiting in the other flow when the buyer starts again — is settled with Alipay
 * before a new one is opened: signed after all → taken as the sign notification would be
 * ("signed"); not signed → closed, so the buyer may start afresh ("released"). Alipay not
 * answering leaves it as it is and says so (503).
 */
export async function releaseWaiting(
  deps: SubscriptionDeps,
  agreement: Agreement,
): Promise<"signed" | "released"> {
  const queried = await deps.alipay.gateway.queryAgreementByExternalNo(
    agreement.externalAgreementNo,
  );
  await logExchange(deps, queried.exchange, agreement, null, null, queried.kind);
  if (queried.kind !== "succeeded") {
    throw new AppError(
      "provider_unavailable",
      `Alipay could not confirm your earlier subscription (${queried.code}); please try again.`,
    );
  }
  if (queried.found && queried.status === "NORMAL" && queried.agreementNo) {
    await onAgreementSigned(deps, agreement, {
      agreementNo: queried.agreementNo,
      alipayUserId: queried.alipayUserId,
      signedAt: queried.signTime ?? (await deps.now()),
    });
    return "signed";
  }
  await endAgreement(deps.db, agreement.id, "closed", await deps.now());
  return "released";
}
