import { afterEach, describe, expect, it, vi } from "vitest";
import { startYouzanSandboxTicker } from "./ticker";

describe("startYouzanSandboxTicker", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("starts one ticker per process and stops it", () => {
    vi.useFakeTimers();
    const stop = startYouzanSandboxTicker();
    expect(vi.getTimerCount()).toBe(1);
    expect(startYouzanSandboxTicker()).toBe(stop);
    expect(vi.getTimerCount()).toBe(1);
    stop();
    expect(vi.getTimerCount()).toBe(0);
  });
});
