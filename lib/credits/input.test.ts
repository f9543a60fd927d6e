import { describe, expect, it } from "vitest";
import { checkCreditUse, parseUseAmount, USE_NOTE_MAX } from "./input";

const key = "0d6f6c1e-7d4a-4b1e-9f0a-3c2b1a000001";

describe("parseUseAmount", () => {
  it.each([
    [undefined, 1],
    [null, 1],
    ["", 1],
    [" 2 ", 2],
    ["100", 100],
    [3, 3],
  ])("%j → %j", (raw, amount) => expect(parseUseAmount(raw)).toBe(amount));

  it.each(["1.5", "-1", "abc", "1e2", "12345", 1.5, Number.NaN])("%j is no amount", (raw) =>
    expect(parseUseAmount(raw)).toBeNull(),
  );
});

describe("checkCreditUse", () => {
  it("takes 1 to 100 credits with a trimmed note and the form's key", () => {
    expect(checkCreditUse({ note: "  一次咨询：简历修改  ", requestKey: key })).toEqual({
      ok: true,
      value: { amount: 1, note: "一次咨询：简历修改", requestKey: key },
    });
    expect(checkCreditUse({ amount: "100", note: "x", requestKey: key })).toMatchObject({
      ok: true,
      value: { amount: 100 },
    });
  });

  it.each([
    [{ amount: "0" }, { amount: "credits.amount_invalid" }],
    [{ amount: "101" }, { amount: "credits.amount_invalid" }],
    [{ amount: "-1" }, { amount: "credits.amount_invalid" }],
    [{ note: "   " }, { note: "credits.note_required" }],
    [{ note: "字".repeat(USE_NOTE_MAX + 1) }, { note: "credits.note_too_long" }],
    [{ requestKey: "short" }, { requestKey: "credits.request_key_invalid" }],
    [{ requestKey: `${key}'; drop` }, { requestKey: "credits.request_key_invalid" }],
  ])("refuses %j", (over, problems) => {
    expect(checkCreditUse({ note: "一次咨询", requestKey: key, ...over })).toEqual({
      ok: false,
      problems,
    });
  });

  it("counts the note by character as the database does (500 Chinese characters pass)", () => {
    expect(checkCreditUse({ note: "字".repeat(USE_NOTE_MAX), requestKey: key }).ok).toBe(true);
    // An emoji is one character to PostgreSQL's char_length, two UTF-16 units to JavaScript.
    expect(checkCreditUse({ note: "😀".repeat(USE_NOTE_MAX), requestKey: key }).ok).toBe(true);
  });
});
