import { describe, expect, it } from "vitest";
import { isShopId, isSlugShape, membersAccess, productAccess } from "./access";

const buyer = { role: "buyer" } as const;
const admin = { role: "admin" } as const;

describe("productAccess", () => {
  it.each([
    [buyer, { state: "live", orderNo: "XP1" }, { kind: "allowed", orderNo: "XP1", owner: false }],
    [buyer, { state: "revoked", orderNo: "XP1" }, { kind: "refused", reason: "refunded" }],
    [buyer, { state: "none" }, { kind: "refused", reason: "not_owned" }],
    // The owner previews what they sell; an owner who also bought it is a buyer of it.
    [admin, { state: "none" }, { kind: "allowed", orderNo: null, owner: true }],
    [admin, { state: "live", orderNo: "XP2" }, { kind: "allowed", orderNo: "XP2", owner: false }],
  ] as const)("%o with %o → %o", (viewer, grant, access) => {
    expect(productAccess(viewer, grant)).toEqual(access);
  });
});

describe("membersAccess", () => {
  const expiresAt = new Date("2026-12-08T00:00:00Z");
  it.each([
    [
      buyer,
      { state: "running", orderNo: "XP3", expiresAt },
      { kind: "allowed", orderNo: "XP3", owner: false },
    ],
    [
      buyer,
      { state: "expired", expiredAt: expiresAt },
      { kind: "refused", reason: "membership_expired" },
    ],
    [buyer, { state: "none" }, { kind: "refused", reason: "not_member" }],
    [admin, { state: "none" }, { kind: "allowed", orderNo: null, owner: true }],
  ] as const)("%o with %o → %o", (viewer, membership, access) => {
    expect(membersAccess(viewer, membership)).toEqual(access);
  });
});

describe("identifiers", () => {
  it("accepts only the shop's own id shapes", () => {
    expect(isShopId("fil_0123456789abcdefghjk", "fil")).toBe(true);
    for (const bad of [
      "les_0123456789abcdefghjk",
      "fil_0123456789abcdefghj",
      "fil_0123456789ABCDEFGHJK",
      "fil_../../etc/passwd",
      "../fil_0123456789abcdefghjk",
      "fil_0123456789abcdefghjk/..",
      "fil_0123456789abcdefghj%2e",
      "",
    ]) {
      expect(isShopId(bad, "fil"), bad).toBe(false);
    }
  });

  it("accepts catalogue slugs and refuses paths", () => {
    expect(isSlugShape("notion-for-creators")).toBe(true);
    for (const bad of ["..", "../admin", "a/b", "A", "%2e%2e", "a b", ""]) {
      expect(isSlugShape(bad), bad).toBe(false);
    }
  });
});
