import { describe, expect, it } from "vitest";
import { isNoticeKind, NOTICE_KIND_INFO, NOTICE_KINDS } from "./kinds";

describe("notice kinds", () => {
  it("each kind is described; receipts and resets can never be left, only reminders", () => {
    expect(Object.keys(NOTICE_KIND_INFO).sort()).toEqual([...NOTICE_KINDS].sort());
    const leavable = NOTICE_KINDS.filter((kind) => NOTICE_KIND_INFO[kind].category !== null);
    expect(leavable).toEqual(["renewal_reminder"]);
    expect(NOTICE_KIND_INFO.password_reset.switchable).toBe(false);
    expect(NOTICE_KIND_INFO.receipt).toMatchObject({ audience: "buyer", category: null });
    expect(
      NOTICE_KINDS.filter((kind) => NOTICE_KIND_INFO[kind].audience === "owner").sort(),
    ).toEqual(["owner_digest", "owner_new_order"]);
  });

  it("isNoticeKind accepts the list and nothing else", () => {
    expect(NOTICE_KINDS.every(isNoticeKind)).toBe(true);
    for (const junk of ["", "RECEIPT", "receipt ", null, 1, "owner"]) {
      expect(isNoticeKind(junk)).toBe(false);
    }
  });
});
