import Link from "next/link";

/** Status chips as plain links (`?status=…`), so filters are shareable URLs. */
export function StatusFilter({
  basePath,
  statuses,
  current,
  allLabel,
  label,
}: {
  basePath: string;
  statuses: readonly string[];
  current: string | undefined;
  allLabel: string;
  label: (status: string) => string;
}) {
  const chip = (href: string, text: string, active: boolean) => (
    <Link
      key={href}
      href={href}
      aria-current={active ? "page" : undefined}
      className="rounded-full border border-stone-300 px-3 py-1 text-xs text-stone-700 aria-[current=page]:border-stone-800 aria-[current=page]:bg-stone-800 aria-[current=page]:text-white"
    >
      {text}
    </Link>
  );
  return (
    <nav className="flex flex-wrap gap-2" data-testid="status-filter">
      {chip(basePath, allLabel, current === undefined)}
      {statuses.map((status) =>
        chip(`${basePath}?status=${status}`, label(status), current === status),
      )}
    </nav>
  );
}
