/*
 * How the production server is started: `npm start` runs
 *   MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2} node --max-old-space-size=${SERVER_HEAP_MB:-192} \
 *     --max-semi-space-size=8 --no-maglev server.mjs
 * (package.json "start"). Everything else that starts the production server (the e2e and
 * reliability tiers, the benches) starts it with these same arguments, so what is tested and
 * measured runs in the heap the shop ships with. server-command.test.ts holds package.json to it.
 *
 * Why a capped heap: V8 keeps what a burst of requests made it grow, so the server sat at ~600 MB
 * after a load test with the default heap (docs/PERFORMANCE.md "Memory"). PDF stamping, the one
 * job that needs a large heap, runs in a worker thread with a heap of its own
 * (lib/delivery/stamp-in-worker.ts).
 *
 * Why 192 MB: once the server has loaded every route's code (as a shop does within minutes: the
 * admin, the pages, the webhooks) that code stays live. Under the old cap of 160 MB, with 131 MB
 * of it live, the server spent its time in mark-compacts (two a second) and in recompiling what
 * they threw away: the status poll needed 2.1–3.0 ms of CPU a request. With the heavy modules
 * off the routes' imports (99 MB live) and 192 MB, ~1.2–1.3 ms, and RSS under load stays under
 * 300 MB (296 MB; 208 MB of heap gave 297–309). docs/PERFORMANCE.md, "Every route loaded".
 *
 * Why MALLOC_ARENA_MAX=2: glibc gives each thread that allocates (V8's GC and compiler threads,
 * libuv's pool) an arena of its own, which it seldom returns; two arenas held the server's RSS
 * ~16 MB lower under the status bench, at the same throughput. Set in the process environment
 * (glibc reads it before node starts), never over a value the environment already has.
 */

/** The old generation's limit in MB unless SERVER_HEAP_MB says otherwise. */
export const DEFAULT_SERVER_HEAP_MB = 192;
/** glibc's malloc arenas unless MALLOC_ARENA_MAX says otherwise. */
export const DEFAULT_MALLOC_ARENA_MAX = 2;
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

/** The environment the server is started with: `env` plus the malloc arena limit. */
export function serverEnv<E extends Readonly<Record<string, string | undefined>>>(
  env: E,
): E & { MALLOC_ARENA_MAX: string } {
  return {
    ...env,
    MALLOC_ARENA_MAX: env.MALLOC_ARENA_MAX?.trim() || String(DEFAULT_MALLOC_ARENA_MAX),
  };
}

/** package.json's "start" must be exactly this (checked by server-command.test.ts). */
export const START_SCRIPT = `npm run db:migrate && MALLOC_ARENA_MAX=\${MALLOC_ARENA_MAX:-${DEFAULT_MALLOC_ARENA_MAX}} node --max-old-space-size=\${SERVER_HEAP_MB:-${DEFAULT_SERVER_HEAP_MB}} --max-semi-space-size=${SERVER_SEMI_SPACE_MB} ${SERVER_V8_FLAGS.join(" ")} server.mjs`;
