import { describe, expect, it } from "vitest";
import { readUnsubscribeToken, seal, unseal, unsubscribeToken } from "./tokens";

const SECRET = "s".repeat(32);
const USER = "usr_0123456789abcdefghjk";

describe("unsubscribe tokens", () => {
  it("read back the user and category they were made for", () => {
    const token = unsubscribeToken(SECRET, USER, "reminders");
    expect(token.startsWith(`${USER}.reminders.`)).toBe(true);
    expect(readUnsubscribeToken(SECRET, token)).toEqual({ userId: USER, category: "reminders" });
  });

  it("refuse another secret, another user, a changed MAC and anything that is not a token", () => {
    const token = unsubscribeToken(SECRET, USER, "reminders");
    expect(readUnsubscribeToken("t".repeat(32), token)).toBeNull();
    const otherUser = token.replace(USER, "usr_0123456789abcdefghjm");
    expect(readUnsubscribeToken(SECRET, otherUser)).toBeNull();
    const last = token.at(-1) === "A" ? "B" : "A";
    expect(readUnsubscribeToken(SECRET, `${token.slice(0, -1)}${last}`)).toBeNull();
    for (const junk of [
      undefined,
      null,
      42,
      "",
      "usr_x.reminders.abc",
      `${token}.extra`,
      `${USER}.receipts.${token.split(".")[2]}`,
      "x".repeat(10_000),
      "../../etc/passwd",
    ]) {
      expect(readUnsubscribeToken(SECRET, junk)).toBeNull();
    }
  });
});

describe("sealed values", () => {
  it("open with the same secret only, and differ each time they are sealed", () => {
    const a = seal(SECRET, "reset-token-value");
    const b = seal(SECRET, "reset-token-value");
    expect(a).not.toBe(b);
    expect(a).not.toContain("reset-token-value");
    expect(unseal(SECRET, a)).toBe("reset-token-value");
    expect(unseal("t".repeat(32), a)).toBeNull();
  });

  it("refuse a tampered or malformed value without throwing", () => {
    const sealed = seal(SECRET, "v");
    const [iv, tag, body] = sealed.split(".") as [string, string, string];
    const flipped = body.startsWith("A") ? `B${body.slice(1)}` : `A${body.slice(1)}`;
    expect(unseal(SECRET, `${iv}.${tag}.${flipped}`)).toBeNull();
    for (const junk of [undefined, 1, "", "a.b", "a.b.c", "...", `${sealed}.x`]) {
      expect(unseal(SECRET, junk)).toBeNull();
    }
  });
});
