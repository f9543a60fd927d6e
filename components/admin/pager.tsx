import Link from "next/link";

/**
 * Previous / next links for a paged admin list: plain links (`?page=…`) that keep the other
 * query parameters (the status filter), so a page is a shareable URL.
 */
export function Pager({
  basePath,
  params,
  page,
  hasMore,
  previousLabel,
  nextLabel,
  pageLabel,
}: {
  basePath: string;
  /** Query parameters every link keeps (empty values are left out). */
  params: Record<string, string | undefined>;
  page: number;
  hasMore: boolean;
  previousLabel: string;
  nextLabel: string;
  pageLabel: string;
}) {
  const href = (target: number) => {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) if (value) query.set(key, value);
    if (target > 1) query.set("page", String(target));
    const qs = query.toString();
    return qs ? `${basePath}?${qs}` : basePath;
  };
  const link = "rounded border border-stone-300 px-3 py-1 text-stone-700 hover:bg-stone-100";
  if (page <= 1 && !hasMore) return null;
  return (
    <nav className="flex items-center gap-3 text-sm" data-testid="pager">
      {page > 1 ? (
        <Link href={href(page - 1)} rel="prev" className={link}>
          {previousLabel}
        </Link>
      ) : null}
      <span className="text-stone-500">{pageLabel}</span>
      {hasMore ? (
        <Link href={href(page + 1)} rel="next" className={link}>
          {nextLabel}
        </Link>
      ) : null}
    </nav>
  );
}
