import Link from "next/link";
import { useTranslations } from "next-intl";
import { CodeLabel } from "./code-label";

const ORDER = ["pending", "sent", "dead", "skipped"] as const;

/**
 * The outbox's counts by status, each a link to the list filtered by it. Failed sends are
 * highlighted while there are any: they stay in the outbox until the owner resends them.
 */
export function NoticeCounts({
  counts,
  current,
}: {
  counts: Record<(typeof ORDER)[number], number>;
  current: string | undefined;
}) {
  const t = useTranslations("admin.notices.counts");
  const dead = counts.dead > 0;
  return (
    <section aria-label={t("label")} className="space-y-2" data-testid="notice-counts">
      <ul className="grid grid-cols-2 gap-2 sm:grid-cols-4">
        {ORDER.map((status) => {
          const alarm = status === "dead" && dead;
          return (
            <li key={status}>
              <Link
                href={`/admin/notices?status=${status}`}
                aria-current={current === status ? "page" : undefined}
                data-testid={`notice-count-${status}`}
                className={`flex flex-col rounded-2xl border p-3 hover:shadow-sm aria-[current=page]:ring-2 aria-[current=page]:ring-stone-800 ${
                  alarm
                    ? "border-red-300 bg-red-50 text-red-800"
                    : "border-stone-200 bg-white text-stone-800"
                }`}
              >
                <span className="text-2xl font-semibold tabular-nums">{counts[status]}</span>
                <span className="text-sm">
                  <CodeLabel group="noticeStatus" code={status} />
                </span>
              </Link>
            </li>
          );
        })}
      </ul>
      <p
        className={`text-sm ${dead ? "text-red-700" : "text-stone-500"}`}
        data-testid="notice-dead-hint"
      >
        {dead ? t("deadHint") : t("noDead")}
      </p>
    </section>
  );
}
