import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { reportBench, type BenchRow } from "./bench-report";
import {
  ensureBuild,
  signIn,
  startChild,
  startShop,
  stopChildren,
  waitFor,
  setBenchEnvironment,
} from "./bench-server";

/*
 * `npm run bench:pages` (issue #14, "page weight"): the first-load JavaScript of the shop's pages
 * as a browser meets it. Each page's HTML is fetched from the production build (as a buyer for
 * the checkouts and the membership page, as the admin for the dashboard); every script it names
 * (`<script src>` but `nomodule` ones, which a current browser skips, and
 * `<link rel="preload" as="script">` or `modulepreload`, which it fetches) is fetched once and
 * gzipped (node:zlib, default level); the page's weight is the
 * sum. Chunks loaded later (next/dynamic, other routes' prefetches) do not count.
 *
 * The floor: an empty App Router page built with the same `next`, `react` and `react-dom` (the
 * shop's node_modules, linked) in BENCH_FLOOR_DIR (default /tmp/xiaopu-empty-next), served by
 * `next start` and measured the same way.
 *
 * Targets: each shop page (catalogue, product, QR checkout, membership checkout, the buyer's
 * membership page) at most 40 kB above the floor; the admin dashboard may weigh more, but what
 * it adds stays out of the shop: no shop page loads a chunk holding admin-only code (markers of
 * its client libraries and components, checked in the chunks' text).
 *
 * Database: BENCH_DATABASE_URL (local only, default bench_pages), dropped and rebuilt.
 */

const url = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/bench_pages";
const PORT = Number(process.env.BENCH_PORT ?? 3320);
const FLOOR_PORT = PORT + 1;
const FLOOR_DIR = process.env.BENCH_FLOOR_DIR ?? "/tmp/xiaopu-empty-next";
const TARGET_ABOVE_FLOOR_KB = 40;
const base = `http://127.0.0.1:${PORT}`;
const floorBase = `http://127.0.0.1:${FLOOR_PORT}`;

/**
 * Text only admin chunks should hold: string literals and property names survive minification.
 * recharts (the dashboard's chart), @tanstack/react-table (the admin lists).
 */
const ADMIN_MARKERS: Record<string, string> = {
  recharts: "recharts-surface",
  "@tanstack/react-table": "getCoreRowModel",
};

setBenchEnvironment(url);

// ---- the floor: an empty Next.js page ---------------------------------------------------------

const versionOf = (pkg: string): string =>
  (JSON.parse(readFileSync(`node_modules/${pkg}/package.json`, "utf8")) as { version: string })
    .version;

/** The empty app, built once per set of versions (a stamp file says which). */
function buildFloor(): void {
  // The stamp names the versions and the node_modules linked: another checkout rebuilds it.
  const versions = ["next", "react", "react-dom"].map((p) => `${p}@${versionOf(p)}`).join(" ");
  const stampText = `${versions} ${path.resolve("node_modules")}`;
  const stamp = path.join(FLOOR_DIR, ".bench-versions");
  if (
    existsSync(path.join(FLOOR_DIR, ".next/BUILD_ID")) &&
    existsSync(stamp) &&
    readFileSync(stamp, "utf8") === stampText
  ) {
    return;
  }
  console.log(`bench:pages: the floor (${versions}) in ${FLOOR_DIR} …`);
  mkdirSync(path.join(FLOOR_DIR, "app"), { recursive: true });
  const modules = path.join(FLOOR_DIR, "node_modules");
  rmSync(modules, { recursive: true, force: true });
  symlinkSync(path.resolve("node_modules"), modules, "dir");
  writeFileSync(
    path.join(FLOOR_DIR, "package.json"),
    JSON.stringify({ name: "xiaopu-empty-next", private: true, type: "module" }),
  );
  // Turbopack reads files only inside its root, which must hold both this folder and the
  // linked node_modules (the shop's).
  writeFileSync(
    path.join(FLOOR_DIR, "next.config.mjs"),
    `export default { turbopack: { root: "/" } };\n`,
  );
  writeFileSync(
    path.join(FLOOR_DIR, "app/layout.js"),
    'export default function RootLayout({ children }) {\n  return (\n    <html lang="en">\n      <body>{children}</body>\n    </html>\n  );\n}\n',
  );
  writeFileSync(
    path.join(FLOOR_DIR, "app/page.js"),
    "export default function Page() {\n  return null;\n}\n",
  );
  const built = spawnSync(path.resolve("node_modules/.bin/next"), ["build"], {
    cwd: FLOOR_DIR,
    stdio: "inherit",
    env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (built.status !== 0) throw new Error("bench:pages: the empty Next.js app did not build");
  writeFileSync(stamp, stampText);
}

// ---- measuring a page -------------------------------------------------------------------------

interface Weight {
  /** Script URL (path) → gzipped bytes. */
  scripts: Map<string, number>;
  /** Script URL → its text (for the admin markers). */
  texts: Map<string, string>;
  gzipBytes: number;
  /** The HTML itself, gzipped (the flight data inlined in it included). */
  htmlGzipBytes: number;
}

const SCRIPT_TAG = /<script\b[^>]*>/g;
const PRELOAD = /<link\b[^>]*\brel="(?:preload|modulepreload)"[^>]*>/g;

function scriptUrls(html: string): string[] {
  const urls = new Set<string>();
  for (const [tag] of html.matchAll(SCRIPT_TAG)) {
    const src = /\bsrc="([^"]+)"/.exec(tag)?.[1];
    // A browser that runs modules skips `nomodule` scripts (Next's polyfills for old ones).
    if (src && !/\bnomodule\b/i.test(tag)) urls.add(src.replaceAll("&amp;", "&"));
  }
  for (const [tag] of html.matchAll(PRELOAD)) {
    const href = /\bhref="([^"]+)"/.exec(tag)?.[1];
    const asScript = /\bas="script"/.test(tag) || tag.includes('rel="modulepreload"');
    if (href && asScript) urls.add(href.replaceAll("&amp;", "&"));
  }
  return [...urls];
}

/** Cache across pages: one fetch per script, as a browser's cache would. */
const fetched = new Map<string, string>();

async function weigh(origin: string, pagePath: string, cookie?: string): Promise<Weight> {
  const page = await fetch(`${origin}${pagePath}`, {
    headers: cookie ? { cookie } : {},
    redirect: "manual",
  });
  if (page.status !== 200) throw new Error(`bench:pages: ${pagePath} answered ${page.status}`);
  const html = await page.text();
  const weight: Weight = {
    scripts: new Map(),
    texts: new Map(),
    gzipBytes: 0,
    htmlGzipBytes: gzipSync(html).length,
  };
  for (const src of scriptUrls(html)) {
    const absolute = new URL(src, origin).toString();
    let text = fetched.get(absolute);
    if (text === undefined) {
      const response = await fetch(absolute);
      if (!response.ok) throw new Error(`bench:pages: ${src} answered ${response.status}`);
      text = await response.text();
      fetched.set(absolute, text);
    }
    const bytes = gzipSync(text).length;
    const key = new URL(absolute).pathname;
    weight.scripts.set(key, bytes);
    weight.texts.set(key, text);
    weight.gzipBytes += bytes;
  }
  if (weight.scripts.size === 0) throw new Error(`bench:pages: ${pagePath} names no script`);
  return weight;
}

const kB = (bytes: number): string => `${(bytes / 1000).toFixed(1)} kB`;

// ---- build, database, servers -----------------------------------------------------------------

ensureBuild("bench:pages");
buildFloor();

const { seedBenchDatabase } = await import("./bench-database");
const BUYER = { email: "reader@bench.example.com", password: "bench-password-1" };
const ADMIN = { email: "admin@bench.example.com", password: "bench-admin-password" };
await seedBenchDatabase(url, ADMIN, [BUYER]);

await startShop({ port: PORT, env: { CRON_SECRET: "bench-cron-secret-0123456789" } });
startChild(
  path.resolve("node_modules/.bin/next"),
  ["start", FLOOR_DIR, "-p", String(FLOOR_PORT), "-H", "127.0.0.1"],
  { NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
);
await waitFor(`${floorBase}/`);

const buyer = await signIn(base, BUYER);
const admin = await signIn(base, ADMIN);
async function postJson(pathname: string, body: unknown): Promise<{ orderNo: string }> {
  const response = await fetch(`${base}${pathname}`, {
    method: "POST",
    headers: { cookie: buyer, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) throw new Error(`bench:pages: POST ${pathname} ${response.status}`);
  return (await response.json()) as { orderNo: string };
}
const qrOrder = await postJson("/api/orders", { productSlug: "side-hustle-handbook" });
const membershipOrder = await postJson("/api/subscriptions", { productSlug: "membership-monthly" });

const SHOP_PAGES: { label: string; path: string; cookie?: string }[] = [
  { label: "catalogue /", path: "/" },
  { label: "product /products/side-hustle-handbook", path: "/products/side-hustle-handbook" },
  { label: "checkout (QR, pending)", path: `/checkout/${qrOrder.orderNo}`, cookie: buyer },
  {
    label: "membership checkout (unsigned)",
    path: `/checkout/${membershipOrder.orderNo}`,
    cookie: buyer,
  },
  { label: "membership /account/membership", path: "/account/membership", cookie: buyer },
];

const floor = await weigh(floorBase, "/");
const shop = [];
for (const page of SHOP_PAGES)
  shop.push({ ...page, weight: await weigh(base, page.path, page.cookie) });
const dashboard = await weigh(base, "/admin", admin);
// The admin's lists (@tanstack/react-table) are not on the dashboard: their chunks are looked
// for in the orders list.
const adminOrders = await weigh(base, "/admin/orders", admin);
stopChildren();

// ---- the table --------------------------------------------------------------------------------

const rows: BenchRow[] = [
  {
    figure: "framework floor: empty Next.js page",
    value: kB(floor.gzipBytes),
    against: `next ${versionOf("next")}, react ${versionOf("react")}`,
    ratio: "",
    target: "(shown)",
    ok: null,
  },
];
for (const page of shop) {
  const above = page.weight.gzipBytes - floor.gzipBytes;
  rows.push({
    figure: `${page.label}: first-load JS (gzip)`,
    value: kB(page.weight.gzipBytes),
    against: `floor ${kB(floor.gzipBytes)}`,
    ratio: `+${kB(above)}`,
    target: `≤ +${TARGET_ABOVE_FLOOR_KB} kB`,
    ok: above <= TARGET_ABOVE_FLOOR_KB * 1000,
  });
}
for (const page of [...shop, { label: "admin dashboard /admin", weight: dashboard }]) {
  rows.push({
    figure: `${page.label}: HTML (gzip)`,
    value: kB(page.weight.htmlGzipBytes),
    against: `floor ${kB(floor.htmlGzipBytes)}`,
    ratio: "",
    target: "(shown)",
    ok: null,
  });
}
const shopScripts = new Set(shop.flatMap((page) => [...page.weight.scripts.keys()]));
const adminOnly = [...dashboard.scripts].filter(([src]) => !shopScripts.has(src));
rows.push({
  figure: "admin dashboard /admin: first-load JS (gzip)",
  value: kB(dashboard.gzipBytes),
  against: `floor ${kB(floor.gzipBytes)}`,
  ratio: `+${kB(dashboard.gzipBytes - floor.gzipBytes)}`,
  target: "(shown: may be heavier)",
  ok: null,
});
rows.push({
  figure: "admin dashboard: chunks no shop page loads",
  value: `${adminOnly.length} chunks, ${kB(adminOnly.reduce((sum, [, bytes]) => sum + bytes, 0))}`,
  against: "",
  ratio: "",
  target: "(shown)",
  ok: null,
});
// The markers must be found in the admin's chunks, or the check below would prove nothing.
const markerHits = (texts: Map<string, string>, marker: string): string[] =>
  [...texts].filter(([, text]) => text.includes(marker)).map(([src]) => src);
for (const [library, marker] of Object.entries(ADMIN_MARKERS)) {
  const inAdmin = [
    ...new Set([...markerHits(dashboard.texts, marker), ...markerHits(adminOrders.texts, marker)]),
  ];
  const inShop = shop.flatMap((page) =>
    markerHits(page.weight.texts, marker).map((src) => `${page.label}: ${src}`),
  );
  rows.push({
    figure: `admin code (${library}) in shop pages`,
    value: inShop.length === 0 ? "none" : inShop.join(", "),
    against: `in /admin, /admin/orders: ${inAdmin.length} chunk(s)`,
    ratio: "",
    target: "none (and seen in /admin)",
    ok: inShop.length === 0 && inAdmin.length > 0,
  });
}
reportBench(
  "pages",
  "Page weight: first-load JavaScript, gzipped, against an empty Next.js page",
  rows,
);

// BENCH_PAGES_CHUNKS=1: every page's chunks, heaviest first (finding what weighs).
if (process.env.BENCH_PAGES_CHUNKS === "1") {
  for (const { label, weight } of [
    { label: "floor", weight: floor },
    ...shop,
    { label: "/admin", weight: dashboard },
    { label: "/admin/orders", weight: adminOrders },
  ]) {
    console.log(`\n${label}: ${kB(weight.gzipBytes)}`);
    for (const [src, bytes] of [...weight.scripts].sort((a, b) => b[1] - a[1])) {
      console.log(`  ${kB(bytes).padStart(9)}  ${src}`);
    }
  }
}
