import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

export interface AppPath {
  /** A URL path, dynamic segments filled in (`[slug]` → `x`, `[...path]` → `a/b`). */
  path: string;
  /** A page (page.tsx) rather than a route handler (route.ts). */
  page: boolean;
  /** The HTTP methods it answers: GET for a page, the exported handlers of a route. */
  methods: string[];
  /** Its source file, relative to the project (`app/api/health/route.ts`). */
  file: string;
}

function exportedMethods(file: string): string[] {
  const source = readFileSync(file, "utf8");
  const found = source.matchAll(
    /export\s+(?:const|async\s+function|function)\s+(GET|POST|PUT|PATCH|DELETE)\b/g,
  );
  return [...new Set([...found].map((match) => match[1]!))];
}

/**
 * Every page and route under app/, found on disk: a test that walks them covers a new one
 * without being edited.
 */
export function appPaths(): AppPath[] {
  const root = path.resolve(import.meta.dirname, "../../app");
  const found: AppPath[] = [];
  const walk = (dir: string, segments: string[]) => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) {
        walk(full, /^\(.*\)$/.test(name) ? segments : [...segments, name]);
      } else if (name === "page.tsx" || name === "route.ts") {
        const url = segments
          .map((segment) =>
            segment.startsWith("[...") ? "a/b" : segment.startsWith("[") ? "x" : segment,
          )
          .join("/");
        const page = name === "page.tsx";
        found.push({
          path: `/${url}`,
          page,
          methods: page ? ["GET"] : exportedMethods(full),
          file: path.relative(path.resolve(root, ".."), full),
        });
      }
    }
  };
  walk(root, []);
  return found;
}
