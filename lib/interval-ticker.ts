import "server-only";

/** While a tick keeps failing, its failure is reported again at most this often. */
export const REPEAT_FAILURE_REPORT_MS = 60_000;

/** What a failing ticker reports: the error, how many ticks in a row failed, since when. */
export interface TickFailure {
  failuresInARow: number;
  failingSinceMs: number;
}

export interface TickerReports {
  /** The first failure of a run of failures, then at most once a REPEAT_FAILURE_REPORT_MS. */
  onError: (error: unknown, failure: TickFailure) => void;
  /** A tick succeeded after `failuresInARow` failures (the database is back). */
  onRecovered?: (failure: TickFailure) => void;
}

/**
 * A background loop for sandbox mode (the payment sandboxes' and the notices' tickers): runs
 * `tick` every `intervalMs`, never two at once, never throwing, and without holding the process
 * open. A tick that fails is reported once, not every second: while PostgreSQL is down a
 * ticker of 1 s filled the log with the same warning (docs/DECISIONS.md); the failures are
 * counted and reported again once a minute, and the recovery once. Returns the stop function.
 */
export function intervalTicker(
  intervalMs: number,
  tick: () => Promise<void>,
  reports: TickerReports,
  now: () => number = Date.now,
): () => void {
  let busy = false;
  let failuresInARow = 0;
  let failingSinceMs = 0;
  let reportedAtMs = 0;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void (async () => {
      try {
        await tick();
        if (failuresInARow > 0) {
          const failure = { failuresInARow, failingSinceMs };
          failuresInARow = 0;
          reports.onRecovered?.(failure);
        }
      } catch (error) {
        const at = now();
        if (failuresInARow === 0) failingSinceMs = at;
        failuresInARow++;
        if (failuresInARow === 1 || at - reportedAtMs >= REPEAT_FAILURE_REPORT_MS) {
          reportedAtMs = at;
          reports.onError(error, { failuresInARow, failingSinceMs });
        }
      } finally {
        busy = false;
      }
    })();
  }, intervalMs);
  timer.unref?.();
  return () => clearInterval(timer);
}
