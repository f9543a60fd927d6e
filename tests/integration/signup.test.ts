import { describe, expect, it } from "vitest";
import { users } from "@/db/schema";
import { findUserByEmail } from "@/db/queries/users";
import { verifyPassword } from "@/lib/auth/password";
import { signUp } from "@/lib/auth/signup";
import { isAppError, type AppError } from "@/lib/errors";
import { withTestDatabase } from "../helpers/db";

const t = withTestDatabase();

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isAppError(error)).toBe(true);
  return error as AppError;
}

describe("signUp", () => {
  it("creates a buyer with a lower-cased email and a hashed password", async () => {
    const user = await signUp(t.db(), {
      email: "  Lin@Example.COM ",
      password: "correct horse",
      name: "林",
    });
    expect(user).toMatchObject({ email: "lin@example.com", name: "林", role: "buyer" });
    expect(user.id).toMatch(/^usr_/);
    const stored = await findUserByEmail(t.db(), "LIN@example.com");
    expect(stored?.passwordHash).toMatch(/^scrypt\$/);
    expect(await verifyPassword("correct horse", stored!.passwordHash)).toBe(true);
    // No language given: none stored (notices fall back to Chinese).
    expect(stored?.locale).toBeNull();
  });

  it("remembers the language the buyer signed up in: their notices are written in it", async () => {
    await signUp(t.db(), { email: "en@example.com", password: "correct horse" }, { locale: "en" });
    expect((await findUserByEmail(t.db(), "en@example.com"))?.locale).toBe("en");
  });

  it.each([
    [{}, { email: ["email.required"], password: ["password.required"] }],
    [
      { email: "not-an-email", password: "short" },
      { email: ["email.invalid"], password: ["password.too_short"] },
    ],
    [
      { email: 42, password: ["x"] },
      { email: ["email.required"], password: ["password.required"] },
    ],
    [{ email: "a@b.co", password: "x".repeat(129) }, { password: ["password.too_long"] }],
    [
      { email: "a@b.co", password: "long enough", name: "名".repeat(51) },
      { name: ["name.too_long"] },
    ],
  ])("rejects malformed input %j with field codes", async (input, fields) => {
    const error = await rejection(signUp(t.db(), input));
    expect(error.code).toBe("validation_failed");
    expect(error.status).toBe(422);
    expect(error.fields).toEqual(fields);
    expect(await t.db().$count(users)).toBe(0);
  });

  it("rejects non-object input without creating anything", async () => {
    for (const input of [null, "email=a@b.co", 7, []]) {
      const error = await rejection(signUp(t.db(), input));
      expect(error.code).toBe("validation_failed");
    }
    expect(await t.db().$count(users)).toBe(0);
  });

  it("refuses a duplicate email, whatever its case, with a clear conflict", async () => {
    await signUp(t.db(), { email: "wang@example.com", password: "password-1" });
    const error = await rejection(
      signUp(t.db(), { email: "WANG@example.com", password: "password-2" }),
    );
    expect(error.code).toBe("conflict");
    expect(error.status).toBe(409);
    expect(error.fields).toEqual({ email: ["email.taken"] });
    expect(await t.db().$count(users)).toBe(1);
  });

  it("two simultaneous sign-ups with one email create one account", async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) =>
        signUp(t.db(), { email: "race@example.com", password: `password-${i}` }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results) {
      if (r.status === "rejected") expect((r.reason as AppError).code).toBe("conflict");
    }
    expect(await t.db().$count(users)).toBe(1);
  });
});
