import { randomUUID } from "node:crypto";
import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import type { CreditSummary } from "@/lib/credits/ledger";
import { BUSINESS_TIME_ZONE } from "@/lib/clock";
import { UserCreditsForm } from "./users-credits-form";

/**
 * The user's credits on their admin page (issue #12): the balance, the ledger newest first —
 * each grant and refund with its order, each use with its note and who recorded it — and the
 * form that records a use. Each rendering gives the form a new one-time request key.
 */
export async function UserCreditsPanel({
  userId,
  summary,
}: {
  userId: string;
  summary: CreditSummary;
}) {
  const [t, tKind, format] = await Promise.all([
    getTranslations("admin.credits"),
    getTranslations("credits.kind"),
    getFormatter(),
  ]);
  const when = (date: Date) =>
    format.dateTime(date, {
      dateStyle: "medium",
      timeStyle: "short",
      timeZone: BUSINESS_TIME_ZONE,
    });
  return (
    <section className="space-y-3" data-testid="user-credits">
      <h2 className="text-lg font-semibold">{t("title")}</h2>
      <p className="text-sm">
        {t("balance")}{" "}
        <strong className="tabular-nums" data-testid="user-credits-balance">
          {t("balanceValue", { balance: summary.balance })}
        </strong>
      </p>
      {summary.entries.length === 0 ? (
        <p className="text-sm text-stone-500">{t("none")}</p>
      ) : (
        <div className="space-y-1">
          <h3 className="text-sm font-medium text-stone-700">{t("history")}</h3>
          <div className="overflow-x-auto rounded-xl border border-stone-200 bg-white">
            <table className="w-full text-sm">
              <thead className="bg-stone-50 text-left text-xs text-stone-500">
                <tr>
                  <th className="px-3 py-2 font-medium">{t("when")}</th>
                  <th className="px-3 py-2 font-medium">{t("kind")}</th>
                  <th className="px-3 py-2 text-right font-medium">{t("amount")}</th>
                  <th className="px-3 py-2 text-right font-medium">{t("balanceAfter")}</th>
                  <th className="px-3 py-2 font-medium">{t("details")}</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-stone-100">
                {summary.entries.map((entry) => (
                  <tr key={entry.id} data-testid="user-credit-entry" data-kind={entry.kind}>
                    <td className="px-3 py-2 whitespace-nowrap text-stone-600">
                      {when(entry.createdAt)}
                    </td>
                    <td className="px-3 py-2 whitespace-nowrap">{tKind(entry.kind)}</td>
                    <td className="px-3 py-2 text-right tabular-nums">
                      {format.number(entry.delta, { signDisplay: "exceptZero" })}
                    </td>
                    <td className="px-3 py-2 text-right tabular-nums">{entry.balanceAfter}</td>
                    <td className="min-w-48 px-3 py-2">
                      {entry.orderNo ? (
                        <Link
                          href={`/admin/orders/${entry.orderNo}`}
                          className="font-mono text-xs text-brand-600 hover:underline"
                        >
                          {t("order", { orderNo: entry.orderNo })}
                        </Link>
                      ) : null}
                      {entry.note ? (
                        <p className="break-words whitespace-pre-line">{entry.note}</p>
                      ) : null}
                      {entry.actorEmail ? (
                        <p className="text-xs break-all text-stone-500">
                          {t("recordedBy", { email: entry.actorEmail })}
                        </p>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {summary.more ? (
            <p className="text-xs text-stone-500">{t("more", { count: summary.entries.length })}</p>
          ) : null}
        </div>
      )}
      <UserCreditsForm userId={userId} requestKey={randomUUID()} />
    </section>
  );
}
