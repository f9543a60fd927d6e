import { describe, expect, it } from "vitest";
import { isAcknowledged, nextRetryAt, PUSH_TIMEOUT_MS, RETRY_SCHEDULE_SECONDS } from "./retry";

describe("push retry schedule", () => {
  it("has 16 steps: 10 s, 30 s, 1 m, 2 m … 10 m, 20 m, 30 m, 1 h, 2 h", () => {
    expect(RETRY_SCHEDULE_SECONDS).toEqual([
      10, 30, 60, 120, 180, 240, 300, 360, 420, 480, 540, 600, 1200, 1800, 3600, 7200,
    ]);
  });

  it("schedules retry n+1 after failed attempt n and dead-letters after the 16th retry", () => {
    const failedAt = new Date("2026-03-01T02:00:00Z");
    expect(nextRetryAt(failedAt, 0)?.toISOString()).toBe("2026-03-01T02:00:10.000Z");
    expect(nextRetryAt(failedAt, 1)?.toISOString()).toBe("2026-03-01T02:00:30.000Z");
    expect(nextRetryAt(failedAt, 15)?.toISOString()).toBe("2026-03-01T04:00:00.000Z");
    expect(nextRetryAt(failedAt, 16)).toBeNull();
    expect(nextRetryAt(failedAt, -1)).toBeNull();
  });

  it("a receiver has 5 s to answer (tests inject a shorter pushTimeoutMs)", () => {
    expect(PUSH_TIMEOUT_MS).toBe(5_000);
  });

  it("acknowledged only on HTTP 200 with 'success' in the body", () => {
    expect(isAcknowledged(200, '{"code":0,"msg":"success"}')).toBe(true);
    expect(isAcknowledged(200, "success")).toBe(true);
    expect(isAcknowledged(200, "ok")).toBe(false);
    expect(isAcknowledged(200, "")).toBe(false);
    expect(isAcknowledged(201, "success")).toBe(false);
    expect(isAcknowledged(500, '{"msg":"success"}')).toBe(false);
  });
});
