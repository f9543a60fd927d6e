"use client";

import { useTranslations } from "next-intl";
import { useState } from "react";
import type { NoticeKind } from "@/db/schema/notices";
import type { NoticeSwitchRow } from "@/lib/admin/notices-types";
import { CodeLabel } from "./code-label";

type RowState = "saving" | "saved" | "failed" | undefined;

/**
 * One switch per kind of notice, with what it is and to whom it goes. Each change is saved at
 * once (`POST /api/admin/notices/settings`, audited) and said so beside the switch; a failed save
 * puts the switch back. A password reset is always sent: shown, never switchable.
 */
export function NoticeSwitches({ rows }: { rows: NoticeSwitchRow[] }) {
  const t = useTranslations("admin.notices.settings");
  const [enabled, setEnabled] = useState<Record<string, boolean>>(() =>
    Object.fromEntries(rows.map((row) => [row.kind, row.enabled])),
  );
  const [state, setState] = useState<Record<string, RowState>>({});

  async function save(kind: NoticeKind, next: boolean) {
    const previous = enabled[kind] ?? true;
    setEnabled((all) => ({ ...all, [kind]: next }));
    setState((all) => ({ ...all, [kind]: "saving" }));
    try {
      const response = await fetch("/api/admin/notices/settings", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ kind, enabled: next }),
      });
      if (!response.ok) throw new Error(`settings: ${response.status}`);
      setState((all) => ({ ...all, [kind]: "saved" }));
    } catch {
      setEnabled((all) => ({ ...all, [kind]: previous }));
      setState((all) => ({ ...all, [kind]: "failed" }));
    }
  }

  return (
    <ul
      className="divide-y divide-stone-100 rounded-2xl border border-stone-200 bg-white"
      data-testid="notice-switches"
    >
      {rows.map((row) => {
        const on = enabled[row.kind] ?? true;
        const status = state[row.kind];
        const labelId = `notice-switch-${row.kind}-label`;
        return (
          <li
            key={row.kind}
            className="flex flex-col gap-3 p-4 sm:flex-row sm:items-start sm:justify-between"
            data-testid={`notice-switch-${row.kind}`}
            data-enabled={on}
          >
            <div className="min-w-0 space-y-1">
              <p className="font-medium" id={labelId}>
                <CodeLabel group="noticeKind" code={row.kind} />
              </p>
              <p className="text-sm text-stone-600">{t(`kinds.${row.kind}`)}</p>
              <p className="flex flex-wrap gap-x-3 gap-y-1 text-xs text-stone-500">
                <span>{t(`audience.${row.audience}`)}</span>
                {row.category ? <span>{t("unsubscribable")}</span> : null}
              </p>
            </div>
            <div className="flex shrink-0 items-center gap-3">
              {status ? (
                <span
                  role={status === "failed" ? "alert" : "status"}
                  className={`text-xs ${status === "failed" ? "text-red-700" : "text-stone-500"}`}
                  data-testid={`notice-switch-${row.kind}-state`}
                >
                  {t(status)}
                </span>
              ) : null}
              {row.switchable ? (
                <button
                  type="button"
                  role="switch"
                  aria-checked={on}
                  aria-labelledby={labelId}
                  disabled={status === "saving"}
                  onClick={() => void save(row.kind, !on)}
                  className="inline-flex min-h-11 items-center gap-2 rounded-full text-sm disabled:opacity-60"
                  data-testid={`notice-switch-${row.kind}-toggle`}
                >
                  <span
                    aria-hidden="true"
                    className={`relative inline-block h-6 w-11 rounded-full transition-colors ${
                      on ? "bg-emerald-600" : "bg-stone-300"
                    }`}
                  >
                    <span
                      className={`absolute top-0.5 left-0.5 size-5 rounded-full bg-white shadow transition-transform ${
                        on ? "translate-x-5" : ""
                      }`}
                    />
                  </span>
                  <span className="w-10 text-left">{on ? t("on") : t("off")}</span>
                </button>
              ) : (
                <span
                  className="rounded-full bg-stone-100 px-3 py-1 text-xs text-stone-600"
                  data-testid={`notice-switch-${row.kind}-always`}
                >
                  {t("alwaysOn")}
                </span>
              )}
            </div>
          </li>
        );
      })}
    </ul>
  );
}
