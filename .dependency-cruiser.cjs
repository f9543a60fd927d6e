/**
 * Module boundaries, checked by `npm run lint` (after ESLint). Each rule names the boundary it
 * keeps; `lib/boundaries.test.ts` breaks every rule on purpose and proves the real tree passes.
 *
 * A provider's face is `lib/payments/<provider>/index.ts`: the domain types, the port, the gateway
 * factory and the push parser, re-exported. Everything else in that folder (envelopes, vendor error
 * tables, transforms, the raw client) is a vendor shape, reachable from outside only through the
 * face, so a second provider is a sibling folder and nothing outside it changes. `types.ts` is not
 * a second face (not even for type-only imports): the face re-exports the domain types outside
 * code uses, so one file says what a provider offers.
 *
 * Paths are relative to the repository root, without a leading `./`.
 */

/** Unit tests beside their source are part of the folder they test. */
const TEST_FILE = "\\.test\\.tsx?$";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment:
        "A cycle makes import order decide behaviour (a module may see another half-initialised) " +
        "and hides which module owns what. Type-only cycles count too: they are the same knot.",
      from: {},
      to: { circular: true },
    },
    {
      name: "no-unresolvable",
      severity: "error",
      comment:
        "An import that cannot be resolved (a wrong `@/` path, a missing package) would also make " +
        "every other rule here pass vacuously.",
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: "heavy-code-loaded-when-needed",
      severity: "error",
      comment:
        "pdf-lib and fontkit (~3 MB of code, the stamping worker's), PGlite (the embedded " +
        "database's), the AWS SDK (S3 storage's) and the demo content's seed: a route that reaches them through static " +
        "imports holds them in the server's heap for good, and every route imports db/. Import " +
        "them where they are used, or with `await import()` (db/index.ts, db/client.ts); the " +
        "status bench's live heap fell by 19 MB when they left (docs/PERFORMANCE.md).",
      from: {
        path: "^(app|lib|db|components|i18n)/",
        pathNot: [
          "^lib/delivery/(pdf-stamp|font|book-pdf|stamp-worker|font-coverage)\\.ts$",
          "^db/seed-delivery\\.ts$",
          "^lib/storage/s3\\.ts$",
          "\\.test\\.tsx?$",
        ],
      },
      to: {
        path: [
          "^node_modules/(pdf-lib|@pdf-lib/fontkit|@electric-sql/pglite|@aws-sdk/[^/]+)/",
          "^lib/delivery/(pdf-stamp|font|book-pdf)\\.ts$",
          "^db/seed-delivery\\.ts$",
          "^lib/storage/s3\\.ts$",
        ],
        dynamic: false,
        dependencyTypesNot: ["type-only"],
      },
    },
    {
      name: "payments-face-only",
      severity: "error",
      comment:
        "Outside lib/payments/<provider>/ import only the provider's face " +
        "(lib/payments/<provider>/index.ts); vendor shapes stay at the edge (HOUSE_STYLE 3).",
      from: { pathNot: "^lib/payments/" },
      to: { path: "^lib/payments/[^/]+/", pathNot: "^lib/payments/[^/]+/index\\.ts$" },
    },
    {
      name: "payments-provider-isolation",
      severity: "error",
      comment:
        "One provider reaches another only through that provider's face, never its vendor shapes.",
      from: { path: "^lib/payments/([^/]+)/" },
      to: {
        path: "^lib/payments/[^/]+/",
        pathNot: ["^lib/payments/$1/", "^lib/payments/[^/]+/index\\.ts$"],
      },
    },
    {
      name: "alipay-sdk-only-in-its-client",
      severity: "error",
      comment:
        "alipay-sdk is the Alipay client's implementation detail (its traps are closed there: " +
        "key types, empty params, the time zone, unsigned responses). Nothing outside " +
        "lib/payments/alipay/ imports it, tests included: the sandbox speaks the protocol itself.",
      from: { pathNot: "^lib/payments/alipay/" },
      to: { path: "^node_modules/alipay-sdk/" },
    },
    {
      name: "sandbox-only-from-sandbox-hosts",
      severity: "error",
      comment:
        "The payment sandboxes are mounted by app/sandbox/**, started by instrumentation.ts and " +
        "driven by tests and benchmarks (bench:push sends the pushes the sandbox stored); shop " +
        "code never reaches into them (it would run differently in live mode).",
      from: {
        pathNot: [
          "^lib/sandbox/",
          "^app/sandbox/",
          "^instrumentation\\.ts$",
          "^tests/",
          "^scripts/bench-[\\w-]+\\.ts$",
        ],
      },
      to: { path: "^lib/sandbox/" },
    },
    {
      name: "no-tests-in-production",
      severity: "error",
      comment:
        "Production modules never import test helpers, fakes or fixtures; unit tests beside their " +
        "source may, and so may Playwright's server script and the benchmarks (they share the tests' " +
        "local-database guard and fixtures).",
      from: {
        pathNot: [
          "^tests/",
          TEST_FILE,
          "^scripts/e2e-server\\.ts$",
          "^scripts/bench-[\\w-]+\\.ts$",
        ],
      },
      to: { path: "^tests/" },
    },
    {
      name: "sandbox-and-client-share-no-code",
      severity: "error",
      comment:
        "A sandbox that shared code with the client it serves would agree with the client's " +
        "mistakes instead of the provider's protocol; and the client is the same code in sandbox " +
        "and live mode (only its config differs). Neither side imports the other, tests included.",
      from: { path: "^lib/(sandbox|payments)/" },
      to: { path: "^lib/(sandbox|payments)/", pathNot: "^lib/$1/" },
    },
    {
      name: "payments-no-env-behind-the-face",
      severity: "error",
      comment:
        "Only a provider's face reads the resolved env (its base URL and credentials); the client, " +
        "gateway, transforms and push parsing take config as arguments and cannot branch on the mode.",
      from: { path: "^lib/payments/[^/]+/", pathNot: ["/index\\.ts$", TEST_FILE] },
      to: { path: "^lib/env\\.ts$" },
    },
  ],
  required: [
    {
      name: "server-only-marked",
      severity: "error",
      comment:
        "Modules holding secrets, the database or provider credentials import `server-only`, so " +
        "a client component that reaches them fails the build instead of shipping them.",
      module: {
        path: [
          "^lib/env\\.ts$",
          "^lib/runtime\\.ts$",
          "^db/",
          "^lib/payments/",
          "^lib/webhooks/",
          "^lib/jobs/",
          "^lib/sandbox/",
        ],
        pathNot: [TEST_FILE],
      },
      to: { path: "^node_modules/server-only/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    // Not node_modules: excluded modules vanish as dependencies too (server-only-marked needs them).
    exclude: { path: ["^\\.next/", "^\\.data/"] },
    moduleSystems: ["es6", "cjs"],
    // Type-only imports are dependencies too: a vendor type leaking out is a vendor shape.
    tsPreCompilationDeps: true,
    // Resolves the `@/` alias exactly as TypeScript and Next do.
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".tsx", ".d.ts", ".js", ".mjs", ".cjs", ".json"],
      mainFields: ["module", "main", "types", "typings"],
    },
  },
};
