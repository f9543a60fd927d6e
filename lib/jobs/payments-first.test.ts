import { afterEach, describe, expect, it, vi } from "vitest";
import { paymentsGauge } from "./payments-first";

afterEach(() => {
  vi.useRealTimers();
});

describe("paymentsGauge", () => {
  it("is quiet at once with nothing in flight", async () => {
    const gauge = paymentsGauge();
    expect(gauge.inFlight()).toBe(0);
    await expect(gauge.quiet(10_000)).resolves.toBe(true);
  });

  it("waits while a payment is in flight and wakes when the last one is done", async () => {
    vi.useFakeTimers();
    const gauge = paymentsGauge();
    const first = gauge.started();
    const second = gauge.started();
    let woke: boolean | null = null;
    void gauge.quiet(10_000).then((quiet) => (woke = quiet));
    first();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(woke).toBeNull(); // one still in flight
    second();
    await vi.advanceTimersByTimeAsync(0);
    expect(woke).toBe(true);
    expect(gauge.inFlight()).toBe(0);
  });

  it("gives up after maxWaitMs under traffic that never pauses", async () => {
    vi.useFakeTimers();
    const gauge = paymentsGauge();
    const done = gauge.started();
    let woke: boolean | null = null;
    void gauge.quiet(500).then((quiet) => (woke = quiet));
    await vi.advanceTimersByTimeAsync(499);
    expect(woke).toBeNull();
    await vi.advanceTimersByTimeAsync(1);
    expect(woke).toBe(false);
    done();
    expect(gauge.inFlight()).toBe(0);
  });

  it("counts a finished payment once, however often its end is reported", async () => {
    const gauge = paymentsGauge();
    const done = gauge.started();
    const other = gauge.started();
    done();
    done();
    expect(gauge.inFlight()).toBe(1);
    other();
    expect(gauge.inFlight()).toBe(0);
  });
});

describe("paymentsGauge.during", () => {
  it("counts the work while it runs, and after it throws no more", async () => {
    const gauge = paymentsGauge();
    let release!: () => void;
    const running = gauge.during(() => new Promise<void>((resolve) => (release = resolve)));
    expect(gauge.inFlight()).toBe(1);
    release();
    await running;
    expect(gauge.inFlight()).toBe(0);
    await expect(gauge.during(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(gauge.inFlight()).toBe(0);
  });
});
