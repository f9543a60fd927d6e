import { getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import type { NoticeKind } from "@/lib/notices/kinds";

/* Pieces the mailbox's list and viewer share. */

export async function MailboxBanner() {
  const t = await getTranslations("sandboxMail");
  return (
    <div
      className="rounded-xl border border-violet-300 bg-violet-50 px-4 py-3 text-sm text-violet-950"
      data-testid="sandbox-banner"
    >
      <p className="font-bold tracking-wide">{t("badge")}</p>
      <p className="mt-1 text-violet-900">{t("notice")}</p>
    </div>
  );
}

export function MailboxShell({ children }: { children: ReactNode }) {
  return <div className="mx-auto w-full max-w-3xl min-w-0 space-y-4">{children}</div>;
}

export async function KindBadge({ kind }: { kind: NoticeKind | null }) {
  if (!kind) return null;
  const t = await getTranslations("sandboxMail.kinds");
  return (
    <span
      className="inline-block rounded-md bg-stone-100 px-1.5 py-0.5 text-xs text-stone-700"
      data-testid="mail-kind"
      data-kind={kind}
    >
      {t(kind)}
    </span>
  );
}

/** Shanghai time to the second, as the shop shows instants. */
export const RECEIVED_FORMAT = {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
  timeZone: "Asia/Shanghai",
} as const;
