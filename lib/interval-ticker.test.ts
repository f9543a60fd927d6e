import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { intervalTicker, REPEAT_FAILURE_REPORT_MS } from "./interval-ticker";

vi.mock("server-only", () => ({}));

/*
 * The sandbox's tickers run every second; while PostgreSQL is down each tick fails. A failure is
 * reported when it starts, then once a minute with the count, and the recovery once — not a
 * warning a second.
 */

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("intervalTicker", () => {
  it("reports a run of failures once, again once a minute, and the recovery once", async () => {
    let failing = true;
    const onError = vi.fn();
    const onRecovered = vi.fn();
    const stop = intervalTicker(
      1000,
      async () => {
        if (failing) throw new Error("ECONNREFUSED");
      },
      { onError, onRecovered },
      () => Date.now(),
    );
    await vi.advanceTimersByTimeAsync(1000);
    expect(onError).toHaveBeenCalledTimes(1);
    const since = onError.mock.calls[0]![1].failingSinceMs;
    expect(onError.mock.calls[0]![1]).toEqual({ failuresInARow: 1, failingSinceMs: since });

    await vi.advanceTimersByTimeAsync(REPEAT_FAILURE_REPORT_MS - 1000); // 59 more failures
    expect(onError).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1000); // a minute after the first report
    expect(onError).toHaveBeenCalledTimes(2);
    expect(onError.mock.calls[1]![1]).toEqual({ failuresInARow: 61, failingSinceMs: since });

    failing = false;
    await vi.advanceTimersByTimeAsync(3000);
    expect(onRecovered).toHaveBeenCalledTimes(1);
    expect(onRecovered).toHaveBeenCalledWith({ failuresInARow: 61, failingSinceMs: since });

    // A new outage is a new run: reported at once.
    failing = true;
    await vi.advanceTimersByTimeAsync(1000);
    expect(onError).toHaveBeenCalledTimes(3);
    expect(onError.mock.calls[2]![1].failuresInARow).toBe(1);
    stop();
  });

  it("never runs two ticks at once and stops when asked", async () => {
    let running = 0;
    let most = 0;
    let ticks = 0;
    // Fake timers: no wall-clock wait.
    const stop = intervalTicker(
      20,
      async () => {
        running++;
        ticks++;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 70));
        running--;
      },
      { onError: () => {} },
    );
    await vi.advanceTimersByTimeAsync(400);
    expect(most).toBe(1);
    expect(ticks).toBeGreaterThan(2);
    stop();
    const before = ticks;
    await vi.advanceTimersByTimeAsync(400);
    expect(ticks).toBe(before);
  });
});
