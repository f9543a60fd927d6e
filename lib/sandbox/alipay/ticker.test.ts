import { afterEach, describe, expect, it, vi } from "vitest";
import { startAlipaySandboxTicker } from "./ticker";

describe("startAlipaySandboxTicker", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("starts one ticker per process and stops it", () => {
    vi.useFakeTimers();
    const stop = startAlipaySandboxTicker();
    expect(vi.getTimerCount()).toBe(1);
    expect(startAlipaySandboxTicker()).toBe(stop);
    expect(vi.getTimerCount()).toBe(1);
    stop();
    expect(vi.getTimerCount()).toBe(0);
  });
});
