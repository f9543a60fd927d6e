import { useTranslations } from "next-intl";
import { CodeLabel } from "./code-label";

const TONE: Record<string, string> = {
  dead: "font-medium text-red-700",
  pending: "text-amber-700",
  skipped: "text-stone-600",
  sent: "text-emerald-700",
};

/**
 * A notice's status in words (failed ones in red: they stay until the owner acts) and, for a
 * skipped one, why: the sender's reason code (`disabled`, `unsubscribed`, `stale`…) in words,
 * with its detail after a colon as it is (`stale:agreement_missing`). Server and client
 * components alike.
 */
export function NoticeStatusLabel({
  status,
  skipReason,
}: {
  status: string;
  skipReason?: string | null;
}) {
  return (
    <span className={`inline-flex flex-col gap-0.5 ${TONE[status] ?? ""}`} data-status={status}>
      <CodeLabel group="noticeStatus" code={status} />
      {skipReason ? <NoticeSkipReason reason={skipReason} /> : null}
    </span>
  );
}

export function NoticeSkipReason({ reason }: { reason: string }) {
  const at = reason.indexOf(":");
  const code = at < 0 ? reason : reason.slice(0, at);
  const detail = at < 0 ? null : reason.slice(at + 1);
  return (
    <span className="inline-flex flex-wrap items-baseline gap-x-1.5 text-xs text-stone-500">
      <CodeLabel group="noticeSkip" code={code} />
      {detail ? <code className="font-mono break-all">{detail}</code> : null}
    </span>
  );
}

/** The recipient: an address as it is; the owner's mailbox and the DingTalk robot in words. */
export function NoticeRecipient({ recipient }: { recipient: string }) {
  const t = useTranslations("admin.notices.recipient");
  if (recipient === "owner" || recipient === "dingtalk") {
    return (
      <span className="inline-flex flex-wrap items-baseline gap-x-1.5" data-recipient={recipient}>
        <span>{t(recipient)}</span>
        <code className="font-mono text-xs text-stone-500">{recipient}</code>
      </span>
    );
  }
  return (
    <span className="break-words" data-recipient={recipient}>
      {recipient}
    </span>
  );
}
