"use client";

import { useInfiniteQuery } from "@tanstack/react-query";

export interface CursorPage<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * The pages of an admin list from its JSON API (react-query): the first page comes from the
 * server's render, "load more" fetches the next after its cursor. A new filter is a new query
 * string, so a new list.
 */
export function useCursorPages<T>(endpoint: string, queryString: string, first: CursorPage<T>) {
  const query = useInfiniteQuery({
    queryKey: [endpoint, queryString],
    initialPageParam: null as string | null,
    initialData: { pages: [first], pageParams: [null] },
    queryFn: async ({ pageParam, signal }): Promise<CursorPage<T>> => {
      const params = new URLSearchParams(queryString);
      if (pageParam) params.set("cursor", pageParam);
      const response = await fetch(`${endpoint}?${params.toString()}`, { signal });
      if (!response.ok) throw new Error(`${endpoint}: ${response.status}`);
      return (await response.json()) as CursorPage<T>;
    },
    getNextPageParam: (last) => last.nextCursor,
    // The first page is the server's and fresh: no refetch on mount.
    staleTime: 30_000,
  });
  return {
    items: query.data.pages.flatMap((page) => page.items),
    hasMore: query.hasNextPage,
    loadMore: () => void query.fetchNextPage(),
    loading: query.isFetchingNextPage,
    failed: query.isFetchNextPageError,
  };
}
