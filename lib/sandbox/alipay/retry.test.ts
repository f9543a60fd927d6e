import { describe, expect, it } from "vitest";
import { isAcknowledged, nextNotifyAt, retrySchedule } from "./retry";

describe("notification retry schedule (spec §5.5, §9.13)", () => {
  it("3 immediate retries, then 4m, 10m, 10m, 1h, 2h, 6h, 15h, then dead", () => {
    expect(retrySchedule(true)).toEqual([0, 0, 0, 240, 600, 600, 3600, 7200, 21600, 54000]);
    const failedAt = new Date("2026-03-01T02:00:00Z");
    expect(nextNotifyAt(failedAt, 1, true)?.toISOString()).toBe("2026-03-01T02:00:00.000Z");
    expect(nextNotifyAt(failedAt, 3, true)?.toISOString()).toBe("2026-03-01T02:00:00.000Z");
    expect(nextNotifyAt(failedAt, 4, true)?.toISOString()).toBe("2026-03-01T02:04:00.000Z");
    expect(nextNotifyAt(failedAt, 10, true)?.toISOString()).toBe("2026-03-01T17:00:00.000Z");
    expect(nextNotifyAt(failedAt, 11, true)).toBeNull();
    expect(nextNotifyAt(failedAt, 0, true)).toBeNull();
  });

  it("classic: no immediate retries", () => {
    expect(retrySchedule(false)).toEqual([240, 600, 600, 3600, 7200, 21600, 54000]);
    expect(nextNotifyAt(new Date(0), 8, false)).toBeNull();
  });

  it("acknowledged only by HTTP 200 and exactly `success`", () => {
    expect(isAcknowledged(200, "success")).toBe(true);
    expect(isAcknowledged(200, "success\n")).toBe(false);
    expect(isAcknowledged(200, '{"success":true}')).toBe(false);
    expect(isAcknowledged(201, "success")).toBe(false);
  });
});
