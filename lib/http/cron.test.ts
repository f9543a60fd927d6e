import { describe, expect, it } from "vitest";
import { isAuthorizedCron } from "./cron";

const SECRET = "a-cron-secret-of-some-length";

describe("isAuthorizedCron", () => {
  it("accepts exactly `Bearer <secret>`", () => {
    expect(isAuthorizedCron(`Bearer ${SECRET}`, SECRET)).toBe(true);
  });

  it.each([
    [null],
    [""],
    [SECRET],
    [`bearer ${SECRET}`],
    [`Bearer ${SECRET} `],
    [`Bearer ${SECRET.slice(0, -1)}`],
    [`Bearer ${SECRET}x`],
    [`Basic ${SECRET}`],
    ["Bearer "],
  ])("refuses %j", (header) => {
    expect(isAuthorizedCron(header, SECRET)).toBe(false);
  });
});
