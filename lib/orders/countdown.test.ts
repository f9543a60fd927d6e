import { describe, expect, it } from "vitest";
import { clockOffset, formatCountdown, secondsLeft, shopNow } from "./countdown";

const EXPIRES = Date.parse("2026-03-01T12:15:00.000Z");

describe("the checkout countdown", () => {
  it("counts whole seconds down to zero, never below", () => {
    expect(secondsLeft(EXPIRES, EXPIRES - 15 * 60_000)).toBe(900);
    expect(secondsLeft(EXPIRES, EXPIRES - 898_999)).toBe(898);
    expect(secondsLeft(EXPIRES, EXPIRES - 999)).toBe(0);
    expect(secondsLeft(EXPIRES, EXPIRES)).toBe(0);
    expect(secondsLeft(EXPIRES, EXPIRES + 60_000)).toBe(0);
  });

  it("shows mm:ss", () => {
    expect(formatCountdown(900)).toBe("15:00");
    expect(formatCountdown(599)).toBe("09:59");
    expect(formatCountdown(61)).toBe("01:01");
    expect(formatCountdown(0)).toBe("00:00");
    expect(formatCountdown(-5)).toBe("00:00");
    expect(formatCountdown(29 * 60 + 59)).toBe("29:59");
  });

  it("counts with the shop's clock on a phone whose clock is wrong", () => {
    // The shop says 12:05:00 (its sandbox clock moved 5 minutes); the phone says 12:07:00.
    const serverNow = Date.parse("2026-03-01T12:05:00.000Z");
    const phoneNow = Date.parse("2026-03-01T12:07:00.000Z");
    const offset = clockOffset(serverNow, phoneNow);
    expect(offset).toBe(-120_000);
    // Three phone seconds later the shop's now is 12:05:03: 9:57 left, not 7:57.
    expect(formatCountdown(secondsLeft(EXPIRES, shopNow(phoneNow + 3_000, offset)))).toBe("09:57");
  });

  it("renders the same first text from the page's server now on both sides", () => {
    const serverNow = Date.parse("2026-03-01T12:00:00.400Z");
    expect(formatCountdown(secondsLeft(EXPIRES, serverNow))).toBe("14:59");
  });
});
