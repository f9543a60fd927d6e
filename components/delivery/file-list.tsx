import { getTranslations } from "next-intl/server";
import type { FileSummary } from "@/db/queries/delivery";
import { fileKindLabel, formatBytes } from "@/lib/delivery/format";

/**
 * Files a buyer may download: plain links to GET /api/downloads/{id}, which checks the grant at
 * that moment (a page left open after a refund gets a 403, not the file).
 */
export async function FileList({
  files,
  downloadsToday,
  perDay,
}: {
  files: FileSummary[];
  downloadsToday: Map<string, number>;
  perDay: number;
}) {
  const t = await getTranslations("library");
  if (files.length === 0) return null;
  return (
    <ul className="divide-y divide-stone-100 rounded-xl border border-stone-200">
      {files.map((file) => {
        const left = Math.max(0, perDay - (downloadsToday.get(file.id) ?? 0));
        return (
          <li
            key={file.id}
            className="flex flex-wrap items-center justify-between gap-3 p-3"
            data-testid="library-file"
          >
            <div className="min-w-0 flex-1">
              <p className="break-words font-medium">{file.fileName}</p>
              <p className="text-xs text-stone-500">
                {[
                  fileKindLabel(file.contentType),
                  formatBytes(file.byteSize),
                  t("downloadsLeft", { count: left }),
                ].join(" · ")}
              </p>
            </div>
            {left > 0 ? (
              <a
                // A navigation: the file comes as an attachment (the page stays); a refusal
                // (refunded since the page loaded, today's limit) comes back here with a notice.
                href={`/api/downloads/${file.id}`}
                className="inline-flex items-center justify-center rounded-lg bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700"
                data-testid="download-link"
              >
                {t("download")}
              </a>
            ) : (
              <span className="text-xs text-amber-700">{t("limitReached")}</span>
            )}
          </li>
        );
      })}
    </ul>
  );
}
