import { describe, expect, it } from "vitest";
import { advanceClock, offsetClock, readClockOffset } from "@/lib/clock";
import { now } from "@/lib/now";
import { withTestDatabase } from "../helpers/db";

const t = withTestDatabase();

describe("sandbox clock", () => {
  it("starts at real time and moves forward by the stored offset, cumulatively", async () => {
    expect(await readClockOffset(t.db())).toBe(0);
    expect(await advanceClock(t.db(), 3600)).toBe(3_600_000);
    expect(await advanceClock(t.db(), 0.5)).toBe(3_600_500);
    const before = Date.now();
    const virtual = await offsetClock(t.db()).now();
    expect(virtual.getTime() - before).toBeGreaterThanOrEqual(3_600_500);
    expect(virtual.getTime() - before).toBeLessThan(3_600_500 + 5_000);
  });

  it("the runtime clock (sandbox mode) reads the same offset", async () => {
    await advanceClock(t.db(), 86_400);
    const shifted = await now();
    expect(shifted.getTime() - Date.now()).toBeGreaterThan(86_400_000 - 5_000);
  });

  it("refuses to go backwards or by a non-number", async () => {
    await expect(advanceClock(t.db(), -1)).rejects.toThrow(RangeError);
    await expect(advanceClock(t.db(), Number.NaN)).rejects.toThrow(RangeError);
    await expect(advanceClock(t.db(), Number.POSITIVE_INFINITY)).rejects.toThrow(RangeError);
    expect(await readClockOffset(t.db())).toBe(0);
  });
});
