"use client";

import { useTranslations } from "next-intl";
import { useActionState } from "react";
import { reprocessWebhookAction } from "@/lib/admin/inbox-actions";
import type { ReprocessState } from "@/lib/admin/inbox-reprocess-state";
import { CodeParts } from "./webhooks-code-parts";

/**
 * "Process again" for a failed or dead delivery (a server action; audited). Stays mounted when
 * the page re-renders after the attempt (the row is no longer failed), so its result stays shown.
 */
export function WebhooksReprocess({ id, available }: { id: string; available: boolean }) {
  const t = useTranslations("admin.inbox.reprocess");
  const [state, action, pending] = useActionState<ReprocessState, FormData>(
    reprocessWebhookAction,
    {},
  );
  return (
    <form action={action} className="space-y-2" data-testid="inbox-reprocess">
      <input type="hidden" name="id" value={id} />
      {available ? (
        <>
          <p className="text-sm text-stone-600">{t("hint")}</p>
          <button
            type="submit"
            disabled={pending}
            className="rounded-lg bg-stone-800 px-4 py-2 text-sm text-white hover:bg-stone-700 disabled:opacity-60"
          >
            {pending ? t("pending") : t("button")}
          </button>
        </>
      ) : (
        <p className="text-sm text-stone-600">{t("notAvailable")}</p>
      )}
      {"error" in state ? (
        <p className="text-sm text-red-700" role="alert" data-testid="inbox-reprocess-error">
          {t(`errors.${state.error}`)}
        </p>
      ) : null}
      {"after" in state ? (
        <p className="text-sm text-stone-800" role="status" data-testid="inbox-reprocess-done">
          {t("done", { before: state.before, after: state.after })}{" "}
          <CodeParts parts={[{ group: "inboxStatus", code: state.after }]} />
        </p>
      ) : null}
    </form>
  );
}
