import Link from "next/link";

/**
 * One figure of the dashboard, the whole tile a link to the filtered list behind it (a large
 * target on a phone). `tone="alert"` marks a figure that needs the owner when it is not zero.
 */
export function DashboardStat({
  label,
  value,
  href,
  testId,
  hint,
  alert = false,
  compact = false,
}: {
  label: string;
  value: string;
  href: string;
  testId: string;
  hint?: string;
  alert?: boolean;
  /** At phone width: one row, label left and value right (money does not fit a third of 390 px). */
  compact?: boolean;
}) {
  return (
    <Link
      href={href}
      data-testid={testId}
      className={`min-w-0 rounded-2xl border p-3 transition hover:border-stone-400 sm:block sm:p-4 ${
        compact ? "flex items-baseline justify-between gap-3" : "block"
      } ${alert ? "border-red-200 bg-red-50" : "border-stone-200 bg-white"}`}
    >
      <span className="block text-xs text-stone-500">{label}</span>
      <span
        className={`block text-lg font-semibold tabular-nums sm:mt-1 sm:text-xl ${
          compact ? "whitespace-nowrap" : "mt-1 break-words"
        } ${alert ? "text-red-700" : "text-stone-900"}`}
        data-testid={`${testId}-value`}
      >
        {value}
      </span>
      {hint ? <span className="mt-0.5 block text-xs text-stone-500">{hint}</span> : null}
    </Link>
  );
}
