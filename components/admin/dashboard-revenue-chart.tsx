"use client";

import { useFormatter, useTranslations } from "next-intl";
import Link from "next/link";
import { useSyncExternalStore } from "react";
import {
  Bar,
  BarChart,
  CartesianGrid,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
  type TooltipContentProps,
} from "recharts";
import { dashboardLinks, REVENUE_CHANNELS, type RevenueDay } from "@/lib/admin/dashboard";
import { formatFen } from "@/lib/money";

/** The stacks' colours (brand-ish green, Alipay blue, a lighter blue for renewals). */
const COLOURS = { youzan: "#16a34a", alipay_first: "#1d4ed8", alipay_renewal: "#60a5fa" } as const;

const noop = () => () => {};

/** True once hydrated: the chart measures its box, which the server cannot. */
function useMounted(): boolean {
  return useSyncExternalStore(
    noop,
    () => true,
    () => false,
  );
}

/**
 * Revenue per Shanghai day for the last 30 days, stacked by channel (recharts). The chart is
 * drawn in the browser; its text fallback — the same numbers as a table, each day's cell a link
 * to that day's paid orders — is in the page for screen readers and for anyone who opens it.
 */
export function DashboardRevenueChart({ series }: { series: RevenueDay[] }) {
  const t = useTranslations("admin.overview.revenue");
  const tChannel = useTranslations("admin.overview.channels");
  const format = useFormatter();
  const mounted = useMounted();
  const total = series.reduce((sum, day) => sum + day.total, 0);
  const first = series[0]?.day ?? "";
  const last = series.at(-1)?.day ?? "";
  const summary = t("chartLabel", {
    from: first,
    to: last,
    total: formatFen(total),
    ...Object.fromEntries(
      REVENUE_CHANNELS.map((channel) => [
        channel,
        formatFen(series.reduce((sum, day) => sum + day[channel], 0)),
      ]),
    ),
  });
  const shortDay = (day: string) => day.slice(5).replace("-", "/");
  const data = series.map((day) => ({
    ...day,
    // Yuan for the axis; the tooltip and the table show exact ¥ amounts from fen.
    youzanYuan: day.youzan / 100,
    alipay_firstYuan: day.alipay_first / 100,
    alipay_renewalYuan: day.alipay_renewal / 100,
  }));

  const tooltip = ({ active, payload, label }: TooltipContentProps) => {
    if (!active || !payload?.length) return null;
    const day = series.find((entry) => entry.day === label);
    if (!day) return null;
    return (
      <div className="rounded-lg border border-stone-200 bg-white p-2 text-xs shadow">
        <p className="font-medium">{day.day}</p>
        {REVENUE_CHANNELS.map((channel) => (
          <p key={channel} className="flex justify-between gap-3">
            <span style={{ color: COLOURS[channel] }}>{tChannel(channel)}</span>
            <span className="tabular-nums">{formatFen(day[channel])}</span>
          </p>
        ))}
        <p className="flex justify-between gap-3 border-t border-stone-100 pt-1 font-medium">
          <span>{t("total")}</span>
          <span className="tabular-nums">{formatFen(day.total)}</span>
        </p>
      </div>
    );
  };

  return (
    <figure className="space-y-3" data-testid="revenue-chart">
      <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-stone-600" aria-hidden="true">
        {REVENUE_CHANNELS.map((channel) => (
          <li key={channel} className="inline-flex items-center gap-1.5">
            <span
              className="inline-block size-2.5 rounded-sm"
              style={{ background: COLOURS[channel] }}
            />
            {tChannel(channel)}
          </li>
        ))}
      </ul>
      <div className="h-56 w-full min-w-0 sm:h-64" role="img" aria-label={summary}>
        {mounted ? (
          <ResponsiveContainer
            width="100%"
            height="100%"
            initialDimension={{ width: 320, height: 224 }}
          >
            <BarChart data={data} margin={{ top: 4, right: 4, bottom: 0, left: -12 }}>
              <CartesianGrid vertical={false} stroke="#e7e5e4" />
              <XAxis
                dataKey="day"
                tickFormatter={shortDay}
                tick={{ fontSize: 10 }}
                interval="preserveStartEnd"
                minTickGap={12}
              />
              <YAxis
                tick={{ fontSize: 10 }}
                width={44}
                allowDecimals={false}
                tickFormatter={(value: number) =>
                  format.number(value, { maximumFractionDigits: 0 })
                }
              />
              <Tooltip content={tooltip} cursor={{ fill: "#f5f5f4" }} />
              {REVENUE_CHANNELS.map((channel) => (
                <Bar
                  key={channel}
                  dataKey={`${channel}Yuan`}
                  name={tChannel(channel)}
                  stackId="revenue"
                  fill={COLOURS[channel]}
                  isAnimationActive={false}
                />
              ))}
            </BarChart>
          </ResponsiveContainer>
        ) : null}
      </div>
      <figcaption className="text-xs text-stone-500">{t("caption")}</figcaption>
      <details className="text-sm" data-testid="revenue-table">
        <summary className="cursor-pointer text-brand-600">{t("showTable")}</summary>
        <div className="mt-2 max-h-80 overflow-auto rounded-xl border border-stone-200">
          <table className="w-full text-right text-xs tabular-nums">
            <caption className="sr-only">{summary}</caption>
            <thead className="sticky top-0 bg-stone-100 text-stone-600">
              <tr>
                <th scope="col" className="px-2 py-1 text-left">
                  {t("day")}
                </th>
                {REVENUE_CHANNELS.map((channel) => (
                  <th key={channel} scope="col" className="px-2 py-1">
                    {tChannel(channel)}
                  </th>
                ))}
                <th scope="col" className="px-2 py-1">
                  {t("total")}
                </th>
              </tr>
            </thead>
            <tbody>
              {[...series].reverse().map((day) => (
                <tr key={day.day} className="border-t border-stone-100">
                  <th scope="row" className="px-2 py-1 text-left font-normal whitespace-nowrap">
                    {day.day}
                  </th>
                  {REVENUE_CHANNELS.map((channel) => (
                    <td key={channel} className="px-2 py-1">
                      {day[channel] > 0 ? (
                        <Link
                          href={dashboardLinks.paidOrders(channel, day.day, day.day)}
                          className="hover:underline"
                        >
                          {formatFen(day[channel])}
                        </Link>
                      ) : (
                        formatFen(0)
                      )}
                    </td>
                  ))}
                  <td className="px-2 py-1 font-medium">{formatFen(day.total)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
