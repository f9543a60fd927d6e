import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { config } from "@/proxy";
import { appPaths } from "../../tests/helpers/app-paths";
import { UNPROXIED_ROUTES } from "./unproxied-route";

/*
 * proxy.ts's matcher and the routes that do its work themselves (UNPROXIED_ROUTES) must agree:
 * a route left out of the proxy without the wrapper would answer without the database gate and
 * the security headers; a route with the wrapper still behind the proxy would pay for both.
 * The matcher is compiled by Next's own function, as the build compiles it.
 */

const root = path.resolve(import.meta.dirname, "../..");
// Next's own compilation of a proxy matcher (internal: not in its type declarations).
const { getMiddlewareMatchers } = createRequire(import.meta.url)(
  "next/dist/build/analysis/get-page-static-info",
) as { getMiddlewareMatchers: (matcher: unknown, nextConfig: object) => { regexp: string }[] };
const matchers = getMiddlewareMatchers(config.matcher, {}).map(({ regexp }) => new RegExp(regexp));
const proxied = (pathname: string) => matchers.some((regexp) => regexp.test(pathname));

/** The wrappers that do the proxy's work (a route file must use one to be left out). */
const WRAPPERS =
  /from "@\/lib\/(http\/unproxied-route|admin\/content-upload-route|webhooks\/alipay\/route)"/;

/** Every route handler under app/ (route.ts), with its path's dynamic segments filled in. */
const routes = appPaths().filter((found) => !found.page);
const routeFiles = () => routes.map(({ file }) => file);
const examplePath = (file: string) => routes.find((found) => found.file === file)!.path;

describe("proxy.ts's matcher and UNPROXIED_ROUTES", () => {
  it("leaves out exactly the routes that use the wrapper", () => {
    const files = routeFiles();
    expect(files.length).toBeGreaterThan(50);
    for (const file of files) {
      const listed = file in UNPROXIED_ROUTES;
      const example = listed
        ? UNPROXIED_ROUTES[file as keyof typeof UNPROXIED_ROUTES]
        : examplePath(file);
      expect(proxied(example), `${file} (${example})`).toBe(!listed);
      if (listed) expect(proxied(examplePath(file)), file).toBe(false);
    }
    for (const file of Object.keys(UNPROXIED_ROUTES)) expect(files).toContain(file);
  });

  it("lists exactly the route files that use a wrapper doing the proxy's work", () => {
    const wrapped = routeFiles().filter((file) =>
      WRAPPERS.test(readFileSync(path.join(root, file), "utf8")),
    );
    expect(wrapped.sort()).toEqual(Object.keys(UNPROXIED_ROUTES).sort());
  });

  it("keeps the proxy for pages, other API routes and whatever extends a left-out path", () => {
    for (const pathname of [
      "/",
      "/products/side-hustle-handbook",
      "/checkout/XP2026120312345678ABCDEFGHJK",
      "/api/orders",
      "/api/health/x",
      "/api/healthz",
      "/api/webhooks/youzan/x",
      "/api/webhooks/alipay/refund",
      "/api/orders/XP1/status/x",
      "/api/orders/XP1/statusx",
      "/api/cron/billing/charge",
      "/api/admin/orders",
    ]) {
      expect(proxied(pathname), pathname).toBe(true);
    }
  });

  it("keeps the proxy for a status path that is not plain letters and digits", () => {
    // A path that is not valid percent-encoding is refused by the proxy (Next answers 500).
    for (const pathname of [
      "/api/orders/%ZZ/status",
      "/api/orders/a%00b/status",
      "/api/orders/a.b/status",
    ]) {
      expect(proxied(pathname), pathname).toBe(true);
    }
  });
});
