import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { NoticeSwitches } from "@/components/admin/notices-switches";
import { getDb } from "@/db";
import { requireAdmin } from "@/lib/auth/guards";
import { noticeSwitchRows } from "@/lib/admin/notices";

/**
 * /admin/notices/settings: the owner's switches, one per kind of notice (a password reset is
 * always sent). A switched-off kind's notices are skipped by the sender, listed as skipped.
 */
export default async function AdminNoticeSettingsPage() {
  await requireAdmin();
  const [t, rows] = await Promise.all([
    getTranslations("admin.notices.settings"),
    getDb().then((db) => noticeSwitchRows(db)),
  ]);
  return (
    <div className="min-w-0 space-y-4">
      <div className="space-y-1">
        <Link href="/admin/notices" className="text-sm text-brand-600 hover:underline">
          {t("back")}
        </Link>
        <h1 className="text-2xl font-bold">{t("title")}</h1>
        <p className="text-sm text-stone-600">{t("intro")}</p>
      </div>
      <NoticeSwitches rows={rows} />
    </div>
  );
}
