// @ts-check
import createNextIntlPlugin from "next-intl/plugin";

/*
 * JavaScript, not TypeScript: the production server (server.mjs) loads this file when it starts,
 * and a next.config.ts is compiled there by Next's SWC binding, which stays loaded and mapped for
 * the server's life (~26 MB of its RSS under load; docs/PERFORMANCE.md "Node 24").
 */

const withNextIntl = createNextIntlPlugin("./i18n/request.ts");

/** @type {import("next").NextConfig} */
const nextConfig = {
  // PGlite loads its WebAssembly and data files from its package folder at run time. alipay-sdk
  // and nodemailer are loaded from node_modules too: bundled, each sat in the server's heap
  // twice (the route and page layers each had its own chunk of it) and as a UTF-16 source (one
  // Chinese or emoji character makes V8 keep a whole chunk at two bytes a character); ~5 MB of
  // the heap every route shares (docs/PERFORMANCE.md, "Every route loaded").
  serverExternalPackages: ["@electric-sql/pglite", "pino", "postgres", "alipay-sdk", "nodemailer"],
  // drizzle/ is read at run time: PGlite applies the migrations when it opens, and on PostgreSQL
  // the server compares drizzle/meta/_journal.json with what was applied. Bundles must carry it.
  // lib/delivery/fonts/ is read at run time too: the CJK font subset PDFs are stamped with.
  outputFileTracingIncludes: { "/**": ["./drizzle/**/*", "./lib/delivery/fonts/**/*"] },
  experimental: { authInterrupts: true },
  poweredByHeader: false,
  typedRoutes: false,
};

export default withNextIntl(nextConfig);
