"use client";

import { useFormatter, useTranslations } from "next-intl";
import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { sandboxBillingAction } from "@/lib/billing/admin-actions";
import {
  CLOCK_STEP_DAYS,
  PANEL_PHASES,
  type PanelReport,
  type PanelState,
} from "@/lib/billing/admin-panel";

const REPORT_COUNTS = [
  "processed",
  "charged",
  "declined",
  "closed",
  "postponed",
  "unknown",
] as const;

/**
 * Sandbox mode only (the page renders it only then; the action refuses otherwise): move the
 * virtual clock forward by days, run any billing phase now (optionally as a dry run), and see
 * what the last action did.
 */
export function BillingClockPanel() {
  const t = useTranslations("admin.billing");
  const format = useFormatter();
  const [state, action, pending] = useActionState<PanelState, FormData>(sandboxBillingAction, {});
  return (
    <section
      className="space-y-4 rounded-2xl border border-amber-300 bg-amber-50 p-4"
      data-testid="billing-sandbox-panel"
      aria-busy={pending}
    >
      <div className="space-y-1">
        <h2 className="text-lg font-semibold">{t("panel.title")}</h2>
        <p className="text-sm text-amber-900">{t("panel.hint")}</p>
      </div>

      <form action={action} className="space-y-2">
        <input type="hidden" name="op" value="advance" />
        <h3 className="text-sm font-medium text-stone-700">{t("panel.clock")}</h3>
        <div className="flex flex-wrap gap-2">
          {CLOCK_STEP_DAYS.map((days) => (
            <Button
              key={days}
              type="submit"
              name="days"
              value={String(days)}
              variant="secondary"
              disabled={pending}
              className="min-w-20 py-3 sm:py-2"
              data-testid={`billing-advance-${days}`}
            >
              {t("panel.advance", { days })}
            </Button>
          ))}
        </div>
      </form>

      <form action={action} className="space-y-2">
        <input type="hidden" name="op" value="run" />
        <h3 className="text-sm font-medium text-stone-700">{t("panel.phasesTitle")}</h3>
        <label className="flex items-start gap-2 text-sm text-stone-700">
          <input
            type="checkbox"
            name="dryRun"
            value="1"
            className="mt-0.5 size-4 shrink-0"
            data-testid="billing-dry-run"
          />
          <span>{t("panel.dryRun")}</span>
        </label>
        <div className="flex flex-wrap gap-2">
          {PANEL_PHASES.map((phase) => (
            <Button
              key={phase}
              type="submit"
              name="phase"
              value={phase}
              disabled={pending}
              className="py-3 sm:py-2"
              data-testid={`billing-run-${phase}`}
            >
              {t(`panel.phases.${phase}`)}
            </Button>
          ))}
        </div>
      </form>

      <div aria-live="polite" className="space-y-2">
        {pending ? <p className="text-sm text-stone-600">{t("panel.pending")}</p> : null}
        {state.error ? (
          <p
            role="alert"
            className="rounded-xl bg-red-50 p-3 text-sm text-red-700"
            data-testid="billing-error"
          >
            {t(`errors.${state.error}`)}
          </p>
        ) : null}
        {state.clock ? (
          <p
            className="rounded-xl bg-white p-3 text-sm text-stone-800"
            data-testid="billing-clock-moved"
            data-offset-ms={state.clock.offsetMs}
          >
            {t("panel.moved", {
              days: state.clock.days,
              now: format.dateTime(new Date(state.clock.now), {
                dateStyle: "medium",
                timeStyle: "short",
                timeZone: "Asia/Shanghai",
              }),
            })}
          </p>
        ) : null}
        {state.report ? <ReportBox report={state.report} /> : null}
      </div>
    </section>
  );
}

function ReportBox({ report }: { report: PanelReport }) {
  const t = useTranslations("admin.billing");
  const wouldDo = Object.entries(report.wouldDo ?? {});
  return (
    <div
      className="space-y-3 rounded-xl border border-stone-200 bg-white p-3"
      data-testid="billing-result"
      data-phase={report.phase}
      data-dry-run={report.dryRun ? "true" : "false"}
    >
      <div className="flex flex-wrap items-center gap-2">
        <h3 className="font-semibold">
          {t("panel.result.title", { phase: t(`panel.phases.${report.phase}`) })}
        </h3>
        {report.dryRun ? (
          <span className="rounded-full bg-amber-100 px-2 py-0.5 text-xs text-amber-900">
            {t("panel.result.dryRun")}
          </span>
        ) : null}
      </div>
      <dl className="grid grid-cols-2 gap-2 text-sm sm:grid-cols-4">
        {REPORT_COUNTS.map((key) => (
          <div
            key={key}
            className="rounded-lg bg-stone-50 p-2"
            data-testid={`billing-result-${key}`}
          >
            <dt className="text-xs text-stone-500">{t(`panel.result.${key}`)}</dt>
            <dd className="text-lg font-semibold tabular-nums">{report[key]}</dd>
          </div>
        ))}
        <div className="rounded-lg bg-stone-50 p-2" data-testid="billing-result-hasMore">
          <dt className="text-xs text-stone-500">{t("panel.result.hasMore")}</dt>
          <dd className="text-lg font-semibold">
            {report.hasMore ? t("panel.result.yes") : t("panel.result.no")}
          </dd>
        </div>
      </dl>
      {wouldDo.length > 0 ? (
        <div className="text-sm">
          <p className="text-xs text-stone-500">{t("panel.result.wouldDo")}</p>
          <ul className="flex flex-wrap gap-2">
            {wouldDo.map(([what, count]) => (
              <li
                key={what}
                className="flex gap-1 rounded bg-stone-100 px-2 py-0.5 font-mono text-xs"
                data-testid="billing-result-would-do"
                data-state={what}
              >
                <span>{what}</span>
                <span className="font-semibold tabular-nums">{count}</span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <p className="font-mono text-xs break-all text-stone-500">
        {t("panel.result.runId", { id: report.runId })}
      </p>
    </div>
  );
}
