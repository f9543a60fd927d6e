import type { NextConfig } from "next";
import createNextIntlPlugin from "next-intl/plugin";

const withNextIntl = createNextIntlPlugin("./i18n/request.ts");

const nextConfig: NextConfig = {
  // PGlite loads its WebAssembly and data files from its package folder at run time.
  serverExternalPackages: ["@electric-sql/pglite", "pino", "postgres"],
  // drizzle/ is read at run time: PGlite applies the migrations when it opens, and on PostgreSQL
  // the server compares drizzle/meta/_journal.json with what was applied. Bundles must carry it.
  // lib/delivery/fonts/ is read at run time too: the CJK font subset PDFs are stamped with.
  outputFileTracingIncludes: { "/**": ["./drizzle/**/*", "./lib/delivery/fonts/**/*"] },
  experimental: { authInterrupts: true },
  poweredByHeader: false,
  typedRoutes: false,
};

export default withNextIntl(nextConfig);
