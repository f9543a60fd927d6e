import { describe, expect, it } from "vitest";
import { fileKindLabel, formatBytes } from "./format";

describe("formatBytes", () => {
  it.each([
    [0, "0 B"],
    [834, "834 B"],
    [1024, "1.0 KB"],
    [12_595, "12.3 KB"],
    [4 * 1024 * 1024, "4.0 MB"],
    [150 * 1024 * 1024, "150.0 MB"],
    [1.25 * 1024 ** 3, "1.3 GB"],
    [-1, "—"],
    [Number.NaN, "—"],
  ])("%d bytes → %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe("fileKindLabel", () => {
  it("names the three delivered types and nothing else", () => {
    expect(fileKindLabel("application/pdf")).toBe("PDF");
    expect(fileKindLabel("application/epub+zip")).toBe("EPUB");
    expect(fileKindLabel("application/zip")).toBe("ZIP");
    expect(fileKindLabel("text/html")).toBe("FILE");
  });
});
