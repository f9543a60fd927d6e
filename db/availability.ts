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

/** What the gate remembers between requests: plain data, no behaviour. */
export interface GateState {
  healthyUntil: number;
  unhealthyUntil: number;
  inFlight?: { startedAt: number; result: Promise<boolean> };
}

export function newGateState(): GateState {
  return { healthyUntil: Number.NEGATIVE_INFINITY, unhealthyUntil: Number.NEGATIVE_INFINITY };
}

export interface GateOptions {
  probe: () => DatabaseProbe | undefined;
  /** Where the gate keeps what it learnt (one per process in the app; one per test). */
  state?: GateState;
  /** Milliseconds, monotonic enough for caching (real time, not the shop's clock). */
  now?: () => number;
  /** Called when a probe fails, with what it threw (logging). */
  onProbeFailure?: (error: unknown) => void;
}

export function createAvailabilityGate({
  probe,
  state = newGateState(),
  now = () => performance.now(),
  onProbeFailure,
}: GateOptions): AvailabilityGate {
  function start(run: DatabaseProbe): NonNullable<GateState["inFlight"]> {
    const startedAt = now();
    const result = run().then(
      () => {
        state.healthyUntil = now() + HEALTHY_FOR_MS;
        state.unhealthyUntil = Number.NEGATIVE_INFINITY;
        return true;
      },
      (error: unknown) => {
        state.unhealthyUntil = now() + UNHEALTHY_FOR_MS;
        onProbeFailure?.(error);
        return false;
      },
    );
    const flight = { startedAt, result };
    void result.finally(() => {
      if (state.inFlight === flight) state.inFlight = undefined;
    });
    return flight;
  }

  return {
    async available() {
      const at = now();
      if (at < state.healthyUntil) return true;
      if (at < state.unhealthyUntil) return false;
      const run = probe();
      if (!run) return true;
      state.inFlight ??= start(run);
      const left = state.inFlight.startedAt + PROBE_DEADLINE_MS - at;
      // A probe past its deadline still holds its connection: later requests do not wait on it.
      if (left <= 0) return false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), left);
      });
      try {
        return await Promise.race([state.inFlight.result, deadline]);
      } finally {
        clearTimeout(timer);
      }
    },
    reportUnavailable() {
      state.healthyUntil = Number.NEGATIVE_INFINITY;
    },
  };
}

// One per process, shared by every bundle: the state is data; the probe is the one function,
// registered by instrumentation.ts at start-up like the database handle it uses (db/index.ts).
const globalForGate = globalThis as typeof globalThis & {
  __xiaopuDbGate?: GateState;
  __xiaopuDbProbe?: { probe: DatabaseProbe; onProbeFailure?: (error: unknown) => void };
};

/** instrumentation.ts registers how to probe the process's database (and log a failure). */
export function registerDatabaseProbe(
  probe: DatabaseProbe,
  onProbeFailure?: (error: unknown) => void,
): void {
  globalForGate.__xiaopuDbProbe = { probe, onProbeFailure };
}

/** The process's gate. */
export function databaseGate(): AvailabilityGate {
  globalForGate.__xiaopuDbGate ??= newGateState();
  return createAvailabilityGate({
    state: globalForGate.__xiaopuDbGate,
    probe: () => globalForGate.__xiaopuDbProbe?.probe,
    onProbeFailure: (error) => globalForGate.__xiaopuDbProbe?.onProbeFailure?.(error),
  });
}

export function reportDatabaseUnavailable(): void {
  databaseGate().reportUnavailable();
}
