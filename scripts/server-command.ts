/*
 * How the production server is started: `npm start` runs
 *   node --max-old-space-size=${SERVER_HEAP_MB:-160} --max-semi-space-size=8 --no-maglev server.mjs
 * (package.json "start"). Everything else that starts the production server (the e2e and
 * reliability tiers, the benches) starts it with these same arguments, so what is tested and
 * measured runs in the heap the shop ships with. server-command.test.ts holds package.json to it.
 *
 * Why a small heap: V8 keeps what a burst of requests made it grow, so the server sat at ~600 MB
 * after a load test with the default heap and ~280 MB with this one, at the same throughput
 * (docs/PERFORMANCE.md "Memory"). PDF stamping, the one job that needs a large heap, runs in a
 * worker thread with a heap of its own (lib/delivery/stamp-in-worker.ts).
 */

/** The old generation's limit in MB unless SERVER_HEAP_MB says otherwise. */
export const DEFAULT_SERVER_HEAP_MB = 160;
/** Each of the young generation's two semi-spaces, in MB (V8 grows them to 16 under load by default; 8 halves the scavenges of 4 for 12 MB). */
export const SERVER_SEMI_SPACE_MB = 8;

/**
 * V8's mid-tier compiler (Maglev, on by default since Node 22) kept ~40 MB more of compiled code
 * in the server under the status bench for no throughput the bench could see (docs/PERFORMANCE.md
 * "Node 24"); functions go from the baseline compiler straight to TurboFan as on Node 20.
 */
export const SERVER_V8_FLAGS = ["--no-maglev"] as const;

/** The arguments after `node` for server.mjs, with `extra` Node flags (a CPU profile) first. */
export function serverNodeArgs(
  env: Readonly<Record<string, string | undefined>> = process.env,
  extra: readonly string[] = [],
): string[] {
  const heapMb = env.SERVER_HEAP_MB?.trim() || String(DEFAULT_SERVER_HEAP_MB);
  return [
    ...extra,
    `--max-old-space-size=${heapMb}`,
    `--max-semi-space-size=${SERVER_SEMI_SPACE_MB}`,
    ...SERVER_V8_FLAGS,
    "server.mjs",
  ];
}

/** package.json's "start" must be exactly this (checked by server-command.test.ts). */
export const START_SCRIPT = `npm run db:migrate && node --max-old-space-size=\${SERVER_HEAP_MB:-${DEFAULT_SERVER_HEAP_MB}} --max-semi-space-size=${SERVER_SEMI_SPACE_MB} ${SERVER_V8_FLAGS.join(" ")} server.mjs`;
