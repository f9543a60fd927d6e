import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import {
  hashResetToken,
  requestPasswordReset,
  resetPassword,
  resetTokenState,
} from "./password-reset";

/*
 * The parts of the reset that need no database: how a stored token is judged, how a token is
 * hashed, and the input refused before anything is read. tests/integration/password-reset.test.ts
 * covers the rest on PGlite and PostgreSQL.
 */

const NOW = new Date("2026-11-22T08:00:00Z");
const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);
const live = {
  id: "prt_x",
  userId: "usr_x",
  email: "li@example.com",
  expiresAt: minutes(30),
  usedAt: null,
  revokedAt: null,
};

/** A database no test here may reach: input refused up front never touches it. */
const noDb = new Proxy(
  {},
  {
    get: () => {
      throw new Error("the database was used");
    },
  },
) as Db;
const deps = {
  db: noDb,
  now: async () => NOW,
  authSecret: "x".repeat(32),
};

describe("resetTokenState", () => {
  it.each([
    ["no such token", undefined, NOW, "invalid"],
    ["a used token", { ...live, usedAt: minutes(1) }, NOW, "used"],
    ["a used token, expired since", { ...live, usedAt: minutes(1) }, minutes(60), "used"],
    ["a token a newer request revoked", { ...live, revokedAt: minutes(1) }, NOW, "invalid"],
    ["a token at its expiry", live, minutes(30), "expired"],
    ["a token past its expiry", live, minutes(31), "expired"],
  ] as const)("%s → %s", (_, token, at, reason) => {
    expect(resetTokenState(token, at)).toEqual({ ok: false, reason });
  });

  it("a token a second before its expiry is usable", () => {
    expect(resetTokenState(live, new Date(minutes(30).getTime() - 1000))).toEqual({
      ok: true,
      token: live,
    });
  });
});

describe("hashResetToken", () => {
  it("is the SHA-256 hex of the token as it travels in the link", () => {
    const token = "A".repeat(43);
    expect(hashResetToken(token)).toBe(createHash("sha256").update(token).digest("hex"));
    expect(hashResetToken(token)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("input refused before the database", () => {
  it.each([
    [undefined, "email.required"],
    ["   ", "email.required"],
    ["not-an-email", "email.invalid"],
  ])("a reset request for %j: %s", async (email, code) => {
    expect(await requestPasswordReset(deps, { email, client: "10.0.0.1" })).toEqual({
      ok: false,
      fields: { email: [code] },
    });
  });

  it.each([
    [{ password: "short", confirmPassword: "short" }, { password: ["password.too_short"] }],
    [
      { password: "x".repeat(129), confirmPassword: "x".repeat(129) },
      { password: ["password.too_long"] },
    ],
    [
      { password: "new-password-1", confirmPassword: "new-password-2" },
      { confirmPassword: ["password.mismatch"] },
    ],
    [{ password: undefined, confirmPassword: undefined }, { password: ["password.required"] }],
  ])("a new password %j", async (fields, expected) => {
    const result = await resetPassword(deps, { token: "A".repeat(43), ...fields });
    expect(result).toEqual({
      ok: false,
      reason: "fields",
      fields: expect.objectContaining(expected),
    });
  });

  it.each([undefined, "", "short", "A".repeat(44), `${"A".repeat(42)}=`, "A".repeat(42) + "/"])(
    "a malformed token %j is invalid without a lookup",
    async (token) => {
      const result = await resetPassword(
        { ...deps, db: noDb },
        { token, password: "new-password-1", confirmPassword: "new-password-1" },
      );
      expect(result).toEqual({ ok: false, reason: "invalid" });
    },
  );
});
