import { describe, expect, it } from "vitest";
import {
  epochSeconds,
  formatYouzanTime,
  formatYouzanTimeOrEmpty,
  newTid,
  parseYouzanTime,
  TID_PATTERN,
} from "./time";

describe("Youzan times (UTC+8)", () => {
  it("formats yyyy-MM-dd HH:mm:ss in China time, across the date line", () => {
    expect(formatYouzanTime(new Date("2026-03-01T02:00:00Z"))).toBe("2026-03-01 10:00:00");
    expect(formatYouzanTime(new Date("2026-03-01T16:30:05.999Z"))).toBe("2026-03-02 00:30:05");
    expect(formatYouzanTime(new Date("2025-12-31T15:59:59Z"))).toBe("2025-12-31 23:59:59");
    expect(formatYouzanTime(new Date("2024-02-28T16:00:00Z"))).toBe("2024-02-29 00:00:00");
  });

  it("uses an empty string for a missing instant", () => {
    expect(formatYouzanTimeOrEmpty(null)).toBe("");
    expect(formatYouzanTimeOrEmpty(undefined)).toBe("");
    expect(formatYouzanTimeOrEmpty(new Date("2026-03-01T02:00:00Z"))).toBe("2026-03-01 10:00:00");
  });

  it("parses its own format back and refuses anything else", () => {
    expect(parseYouzanTime("2026-03-02 00:30:05")?.toISOString()).toBe("2026-03-01T16:30:05.000Z");
    for (const bad of ["2026-02-30 00:00:00", "2026-03-01", "2026-03-01T10:00:00", "", "x"]) {
      expect(parseYouzanTime(bad), bad).toBeNull();
    }
  });

  it("epoch seconds round down", () => {
    expect(epochSeconds(new Date(1_772_330_400_999))).toBe(1_772_330_400);
  });
});

describe("tid", () => {
  it("is E + yyyyMMddHHmmss (UTC+8) + 9 digits", () => {
    const at = new Date("2026-03-01T16:30:05Z");
    expect(newTid(at, () => 42)).toBe("E20260302003005000000042");
    expect(newTid(at, () => 999_999_999)).toBe("E20260302003005999999999");
    const random = newTid(at);
    expect(random).toMatch(TID_PATTERN);
    expect(random.startsWith("E20260302003005")).toBe(true);
    expect(random).toHaveLength(24);
  });
});
