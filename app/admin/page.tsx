import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { getDb } from "@/db";
import { dashboardStats } from "@/db/queries/dashboard";
import { requireAdmin } from "@/lib/auth/guards";
import { formatFen } from "@/lib/money";

export default async function AdminDashboardPage() {
  await requireAdmin();
  const [t, stats] = await Promise.all([
    getTranslations("admin.dashboard"),
    getDb().then(dashboardStats),
  ]);
  const tiles = [
    { key: "revenue", value: formatFen(stats.revenueFen) },
    { key: "paidOrders", value: String(stats.paidOrders) },
    { key: "pendingOrders", value: String(stats.pendingOrders) },
    { key: "activeAgreements", value: String(stats.activeAgreements) },
    { key: "buyers", value: String(stats.buyers) },
    { key: "activeProducts", value: String(stats.activeProducts) },
    { key: "inboxDead", value: String(stats.inboxDead), href: "/admin/webhooks?status=dead" },
    { key: "inboxFailed", value: String(stats.inboxFailed), href: "/admin/webhooks?status=failed" },
  ] as const;
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold">{t("title")}</h1>
      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-3">
        {tiles.map((tile) => (
          <div
            key={tile.key}
            className="rounded-2xl border border-stone-200 bg-white p-4"
            data-testid={`stat-${tile.key}`}
          >
            <dt className="text-xs text-stone-500">{t(tile.key)}</dt>
            <dd className="mt-1 text-xl font-semibold tabular-nums">
              {"href" in tile ? (
                <Link href={tile.href} className="underline-offset-4 hover:underline">
                  {tile.value}
                </Link>
              ) : (
                tile.value
              )}
            </dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
