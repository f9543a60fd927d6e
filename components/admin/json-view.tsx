/**
 * A stored request or response, pretty-printed in a collapsible box that scrolls inside itself
 * (a long line never widens the page on a phone).
 */
export function JsonView({
  label,
  value,
  open = false,
  testId,
}: {
  label: string;
  value: unknown;
  open?: boolean;
  testId?: string;
}) {
  const text = typeof value === "string" ? value : JSON.stringify(value ?? null, null, 2);
  return (
    <details className="group min-w-0" open={open} data-testid={testId}>
      <summary className="cursor-pointer text-xs text-brand-700 select-none">{label}</summary>
      <pre className="mt-1 max-h-80 max-w-full overflow-auto rounded bg-stone-900 p-2 text-xs leading-relaxed break-all whitespace-pre-wrap text-stone-100">
        {text}
      </pre>
    </details>
  );
}
