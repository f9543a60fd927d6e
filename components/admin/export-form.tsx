import { getTranslations } from "next-intl/server";
import type { ExportKind } from "@/lib/admin/export";

/**
 * A date range and a download button for one CSV export: a plain GET form, so the browser
 * downloads the file itself (no script; works on a phone). Empty dates: the last 30 days.
 */
export async function ExportForm({ kind }: { kind: ExportKind }) {
  const t = await getTranslations("admin.export");
  const field = "rounded-lg border border-stone-300 px-2 py-1 text-sm";
  return (
    <form
      method="get"
      action={`/api/admin/export/${kind}`}
      className="space-y-2 rounded-2xl border border-stone-200 bg-white p-4"
      data-testid={`export-${kind}`}
    >
      <h2 className="font-semibold">{t("title")}</h2>
      <p className="text-xs text-stone-500">{t(`${kind}.hint`)}</p>
      <div className="flex flex-wrap items-end gap-3">
        <label className="flex flex-col gap-1 text-xs text-stone-600">
          {t("from")}
          <input type="date" name="from" className={field} />
        </label>
        <label className="flex flex-col gap-1 text-xs text-stone-600">
          {t("to")}
          <input type="date" name="to" className={field} />
        </label>
        <button
          type="submit"
          className="rounded-full bg-stone-800 px-4 py-1.5 text-sm text-white hover:bg-stone-700"
        >
          {t(`${kind}.button`)}
        </button>
      </div>
    </form>
  );
}
