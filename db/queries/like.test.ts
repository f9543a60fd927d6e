import { describe, expect, it } from "vitest";
import { prefixPattern } from "./like";

describe("prefixPattern", () => {
  it("escapes LIKE's wildcards and its escape character, then matches any rest", () => {
    expect(prefixPattern("abc")).toBe("abc%");
    expect(prefixPattern("a_b%c")).toBe("a\\_b\\%c%");
    expect(prefixPattern("a\\b")).toBe("a\\\\b%");
    expect(prefixPattern("")).toBe("%");
  });
});
