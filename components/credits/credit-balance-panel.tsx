import "server-only";
import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import { getDb } from "@/db";
import { creditSummary, type CreditSummary } from "@/lib/credits/ledger";
import { BUSINESS_TIME_ZONE } from "@/lib/clock";

/** Where the panel sits on a page (`/account/library#credits`): the header's balance links here. */
export const CREDITS_ANCHOR = "credits";
export const CREDITS_HREF = `/account/library#${CREDITS_ANCHOR}`;

/**
 * The buyer's credits (issue #12), a server component: the balance and every grant, use and
 * refund newest first, with its date (Asia/Shanghai), the order of a grant or refund and the
 * owner's note on a use (never who recorded it). Renders nothing for a buyer who never had
 * credits unless `showEmpty` (then a short empty state with a link to the packs).
 *
 * Usage: `<CreditBalancePanel userId={user.id} />` — the caller has checked the user
 * (`requireUser`); pass `summary` when the page already read it (`creditSummary`).
 */
export async function CreditBalancePanel({
  userId,
  summary: given,
  showEmpty = false,
}: {
  userId: string;
  summary?: CreditSummary;
  showEmpty?: boolean;
}) {
  const [t, format, summary] = await Promise.all([
    getTranslations("credits"),
    getFormatter(),
    given ?? getDb().then((db) => creditSummary(db, userId)),
  ]);
  if (!summary.hasLedger && !showEmpty) return null;
  const when = (date: Date) =>
    format.dateTime(date, {
      dateStyle: "medium",
      timeStyle: "short",
      timeZone: BUSINESS_TIME_ZONE,
    });
  return (
    <section
      id={CREDITS_ANCHOR}
      aria-labelledby="credits-title"
      className="space-y-3 rounded-2xl border border-stone-200 bg-white p-4"
      data-testid="credit-balance-panel"
    >
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="credits-title" className="text-lg font-semibold">
          {t("title")}
        </h2>
        <p className="text-sm text-stone-600">
          {t("balance")}{" "}
          <strong className="text-xl text-stone-900 tabular-nums" data-testid="credit-balance">
            {t("balanceValue", { balance: summary.balance })}
          </strong>
        </p>
      </div>
      <p className="text-xs text-stone-500">{t("explain")}</p>
      {summary.entries.length === 0 ? (
        <p className="text-sm text-stone-600">
          {t("empty")}{" "}
          <Link href="/#section-credit_pack" className="text-brand-600 underline">
            {t("buy")}
          </Link>
        </p>
      ) : (
        <div className="space-y-1">
          <h3 className="text-sm font-medium text-stone-700">{t("history")}</h3>
          <ul className="divide-y divide-stone-100">
            {summary.entries.map((entry) => (
              <li
                key={entry.id}
                className="space-y-0.5 py-2 text-sm"
                data-testid="credit-entry"
                data-kind={entry.kind}
              >
                <div className="flex flex-wrap items-baseline justify-between gap-2">
                  <span className="font-medium">{t(`kind.${entry.kind}`)}</span>
                  <span
                    className={`tabular-nums ${entry.delta > 0 ? "text-emerald-700" : "text-stone-700"}`}
                  >
                    {t("entryAmount", {
                      delta: format.number(entry.delta, { signDisplay: "exceptZero" }),
                    })}
                  </span>
                </div>
                <div className="flex flex-wrap items-baseline justify-between gap-2 text-xs text-stone-500">
                  <span>
                    {when(entry.createdAt)}
                    {entry.orderNo ? (
                      <>
                        {" · "}
                        <span className="font-mono">{t("order", { orderNo: entry.orderNo })}</span>
                      </>
                    ) : null}
                  </span>
                  <span className="tabular-nums">
                    {t("balanceAfter", { balance: entry.balanceAfter })}
                  </span>
                </div>
                {entry.note ? (
                  <p
                    className="break-words whitespace-pre-line text-stone-700"
                    data-testid="credit-entry-note"
                  >
                    <span className="text-stone-500">{t("noteLabel")}</span> {entry.note}
                  </p>
                ) : null}
              </li>
            ))}
          </ul>
          {summary.more ? (
            <p className="text-xs text-stone-500">{t("more", { count: summary.entries.length })}</p>
          ) : null}
        </div>
      )}
    </section>
  );
}
