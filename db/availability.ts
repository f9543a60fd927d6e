/**
 * Whether the database can serve right now, as proxy.ts asks before every page and route, so
 * that an outage answers 503 with Retry-After everywhere — pages included, which cannot choose
 * their own status — and within a bounded time however the database fails (refusing
 * connections, closing them, or not answering at all).
 *
 * One probe at a time (`select 1`, registered by db/index.ts); its success is trusted for
 * {@link HEALTHY_FOR_MS}, its failure for {@link UNHEALTHY_FOR_MS}. A probe that has not answered
 * after {@link PROBE_DEADLINE_MS} counts as a failure for everyone waiting on it, and later
 * requests do not wait on it again. Any part of the shop that meets an unavailable database
 * reports it ({@link reportDatabaseUnavailable}), which ends the trusted success at once.
 *
 * Imports nothing but `server-only`: proxy.ts loads this without the database drivers. The state lives on globalThis
 * because Next bundles proxy, instrumentation and routes separately within one process. Where
 * no probe is registered (a proxy running in a process that never opened the database, as on
 * Vercel) the gate lets everything through and routes answer for themselves.
 */

import "server-only";

export const HEALTHY_FOR_MS = 1_000;
export const UNHEALTHY_FOR_MS = 500;
export const PROBE_DEADLINE_MS = 2_000;

/** Throws when the database cannot serve; resolves when it answered. */
export type DatabaseProbe = () => Promise<void>;

export interface AvailabilityGate {
  /** True when the database answered recently or answers now; false within the deadline. */
  available(): Promise<boolean>;
  /** Something met an unavailable database: the next check probes again. */
  reportUnavailable(): void;
}

export interface GateOptions {
  probe: () => DatabaseProbe | undefined;
  /** Milliseconds, monotonic enough for caching (real time, not the shop's clock). */
  now?: () => number;
  /** Called when a probe fails, with what it threw (logging). */
  onProbeFailure?: (error: unknown) => void;
}

export function createAvailabilityGate({
  probe,
  now = () => performance.now(),
  onProbeFailure,
}: GateOptions): AvailabilityGate {
  let healthyUntil = Number.NEGATIVE_INFINITY;
  let unhealthyUntil = Number.NEGATIVE_INFINITY;
  let inFlight: { startedAt: number; result: Promise<boolean> } | undefined;

  function start(run: DatabaseProbe): { startedAt: number; result: Promise<boolean> } {
    const startedAt = now();
    const result = run().then(
      () => {
        healthyUntil = now() + HEALTHY_FOR_MS;
        unhealthyUntil = Number.NEGATIVE_INFINITY;
        return true;
      },
      (error: unknown) => {
        unhealthyUntil = now() + UNHEALTHY_FOR_MS;
        onProbeFailure?.(error);
        return false;
      },
    );
    const flight = { startedAt, result };
    void result.finally(() => {
      if (inFlight === flight) inFlight = undefined;
    });
    return flight;
  }

  return {
    async available() {
      const at = now();
      if (at < healthyUntil) return true;
      if (at < unhealthyUntil) return false;
      const run = probe();
      if (!run) return true;
      inFlight ??= start(run);
      const left = inFlight.startedAt + PROBE_DEADLINE_MS - at;
      // A probe past its deadline still holds its connection: later requests do not wait on it.
      if (left <= 0) return false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), left);
      });
      try {
        return await Promise.race([inFlight.result, deadline]);
      } finally {
        clearTimeout(timer);
      }
    },
    reportUnavailable() {
      healthyUntil = Number.NEGATIVE_INFINITY;
    },
  };
}

const globalForGate = globalThis as typeof globalThis & {
  __xiaopuDbProbe?: DatabaseProbe;
  __xiaopuDbGate?: AvailabilityGate;
  __xiaopuDbProbeFailure?: (error: unknown) => void;
};

/** db/index.ts registers how to probe the process's database (and how to log a failure). */
export function registerDatabaseProbe(
  probe: DatabaseProbe,
  onProbeFailure?: (error: unknown) => void,
): void {
  globalForGate.__xiaopuDbProbe = probe;
  globalForGate.__xiaopuDbProbeFailure = onProbeFailure;
}

/** The process's gate (one per process, shared by every bundle). */
export function databaseGate(): AvailabilityGate {
  globalForGate.__xiaopuDbGate ??= createAvailabilityGate({
    probe: () => globalForGate.__xiaopuDbProbe,
    onProbeFailure: (error) => globalForGate.__xiaopuDbProbeFailure?.(error),
  });
  return globalForGate.__xiaopuDbGate;
}

export function reportDatabaseUnavailable(): void {
  databaseGate().reportUnavailable();
}
