"use client";

/** "Load more" under an admin list, with how many rows are shown and a failure notice. */
export function LoadMore({
  pages,
  labels,
}: {
  pages: { hasMore: boolean; loadMore: () => void; loading: boolean; failed: boolean };
  labels: { more: string; loading: string; failed: string; count: string };
}) {
  return (
    <div className="flex flex-wrap items-center gap-3 text-sm">
      <span className="text-stone-500" data-testid="list-count">
        {labels.count}
      </span>
      {pages.hasMore ? (
        <button
          type="button"
          onClick={pages.loadMore}
          disabled={pages.loading}
          className="rounded border border-stone-300 px-3 py-1 text-stone-700 hover:bg-stone-100 disabled:opacity-60"
          data-testid="load-more"
        >
          {pages.loading ? labels.loading : labels.more}
        </button>
      ) : null}
      {pages.failed ? (
        <span role="alert" className="text-red-700">
          {labels.failed}
        </span>
      ) : null}
    </div>
  );
}
