import type { z } from "zod";

type SearchParams = Record<string, string | string[] | undefined>;

/**
 * A page's search params read with a list's schema, leniently: a page cannot answer 400, so a
 * filter that does not parse (a typo in a shared link, a stale cursor) is dropped and the page
 * shows the list without it. The JSON API uses the strict parse (lib/admin/query.ts).
 */
export function lenientQuery<T extends z.ZodObject>(schema: T, params: SearchParams): z.infer<T> {
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    if (typeof value === "string" && value.trim() !== "") values[key] = value.trim();
  }
  for (let round = 0; round < 10; round++) {
    const parsed = schema.safeParse(values);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) {
      const key = issue.path[0];
      if (typeof key === "string") delete values[key];
    }
  }
  return schema.parse({});
}
