import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { findUserById } from "@/db/queries/users";
import { auditLog, signinAttempts } from "@/db/schema";
import { changeName, changePassword } from "@/lib/auth/account";
import { authenticate } from "@/lib/auth/authenticate";
import { userForSession, type SessionLike } from "@/lib/auth/session-version";
import { signUp } from "@/lib/auth/signup";
import { AppError } from "@/lib/errors";
import { withTestDatabase } from "../helpers/db";

/*
 * Issue #10 item 8 (acceptance 6) below the server actions: a password change needs the current
 * password (behind the sign-in throttle), and signs out every session issued before it — here two
 * sessions of one account, as next-auth's session callback hands them to the guards. The action
 * then signs its own session in again (tests/e2e/account.spec.ts shows that it stays).
 */
const t = withTestDatabase();
const limits = { maxFailures: 3, windowMinutes: 15 };
const T0 = new Date("2026-11-22T08:00:00Z");
const later = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const client = { ip: "10.0.0.1", device: null };

async function buyer() {
  const user = await signUp(t.db(), { email: "li@example.com", password: "old-password" });
  const row = await findUserById(t.db(), user.id);
  /** A session as signed in now (its JWT carries the current version). */
  const session = (): SessionLike => ({
    user: { id: user.id },
    sessionVersion: row?.sessionVersion,
  });
  return { user, phone: session(), laptop: session() };
}

const change = (
  user: { id: string; email: string },
  input: Record<string, unknown>,
  at = T0,
  from = client,
) => changePassword(t.db(), user, input, from, at, limits);

const good = {
  currentPassword: "old-password",
  newPassword: "new-password-1",
  confirmPassword: "new-password-1",
};

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => expect.fail("expected a refusal"),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

const signsIn = async (email: string, password: string, at = later(3600)) =>
  (await authenticate(t.db(), { email, password, ip: "10.9.9.9" }, at, limits)).ok;

describe("changePassword", () => {
  it("replaces the password and signs out every earlier session", async () => {
    const { user, phone, laptop } = await buyer();
    expect(await userForSession(t.db(), phone)).not.toBeNull();
    expect(await userForSession(t.db(), laptop)).not.toBeNull();

    const { sessionVersion } = await change(user, good);

    expect(sessionVersion).toBe(1);
    expect(await userForSession(t.db(), phone)).toBeNull();
    expect(await userForSession(t.db(), laptop)).toBeNull();
    // The session the action signs in again carries the new version.
    const renewed = { user: { id: user.id }, sessionVersion };
    expect((await userForSession(t.db(), renewed))?.email).toBe("li@example.com");

    expect(await signsIn("li@example.com", "old-password")).toBe(false);
    expect(await signsIn("li@example.com", "new-password-1")).toBe(true);
  });

  it("is audited, without any password or hash", async () => {
    const { user } = await buyer();
    await change(user, good);
    const rows = await t
      .db()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetType, "user"), eq(auditLog.targetId, user.id)));
    expect(rows).toEqual([
      expect.objectContaining({
        actorKind: "user",
        actorUserId: user.id,
        action: "user.password_changed",
        details: { ip: "10.0.0.1", sessionVersion: 1 },
      }),
    ]);
    expect(JSON.stringify(rows)).not.toMatch(/password-1|old-password|scrypt/);
  });

  it("refuses a wrong current password: nothing changes, and the failure counts as a sign-in failure", async () => {
    const { user, phone } = await buyer();
    const error = await refusal(change(user, { ...good, currentPassword: "guess-1" }));
    expect(error.code).toBe("validation_failed");
    expect(error.status).toBe(422);
    expect(error.fields).toEqual({ currentPassword: ["password.wrong"] });

    expect(await userForSession(t.db(), phone)).not.toBeNull();
    expect(await signsIn("li@example.com", "old-password")).toBe(true);
    const failures = await t
      .db()
      .select()
      .from(signinAttempts)
      .where(eq(signinAttempts.succeeded, false));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ email: "li@example.com", ip: "10.0.0.1" });
  });

  it("guesses of the current password are throttled like sign-ins (429 with the wait), even the right one", async () => {
    const { user, phone } = await buyer();
    for (let i = 0; i < limits.maxFailures; i++) {
      await refusal(change(user, { ...good, currentPassword: `guess-${i}` }, later(i)));
    }
    const throttled = await refusal(change(user, good, later(limits.maxFailures)));
    expect(throttled.code).toBe("rate_limited");
    expect(throttled.status).toBe(429);
    expect(throttled.retryAfterSeconds).toBeGreaterThan(0);
    expect(await userForSession(t.db(), phone)).not.toBeNull();

    // Once the delay has passed, the right password goes through.
    const after = later(limits.maxFailures + (throttled.retryAfterSeconds ?? 0));
    expect((await change(user, good, after)).sessionVersion).toBe(1);
  });

  it.each([
    [
      "a short new password",
      { ...good, newPassword: "short", confirmPassword: "short" },
      { newPassword: ["password.too_short"] },
    ],
    [
      "a too long new password",
      { ...good, newPassword: "x".repeat(129), confirmPassword: "x".repeat(129) },
      { newPassword: ["password.too_long"] },
    ],
    [
      "a confirmation that differs",
      { ...good, confirmPassword: "new-password-2" },
      { confirmPassword: ["password.mismatch"] },
    ],
    [
      "the same password again",
      {
        currentPassword: "old-password",
        newPassword: "old-password",
        confirmPassword: "old-password",
      },
      { newPassword: ["password.unchanged"] },
    ],
    [
      "nothing at all",
      {},
      {
        currentPassword: ["password.required"],
        newPassword: ["password.required"],
        confirmPassword: ["password.mismatch"],
      },
    ],
    [
      "non-strings",
      { currentPassword: 1, newPassword: ["a"], confirmPassword: { x: 1 } },
      {
        currentPassword: ["password.required"],
        newPassword: ["password.required"],
        confirmPassword: ["password.mismatch"],
      },
    ],
  ])(
    "refuses %s with field codes (422), before any password check",
    async (_label, input, fields) => {
      const { user, phone } = await buyer();
      const error = await refusal(change(user, input));
      expect(error.code).toBe("validation_failed");
      expect(error.fields).toEqual(fields);
      expect(await userForSession(t.db(), phone)).not.toBeNull();
      expect(await t.db().select().from(signinAttempts)).toEqual([]);
    },
  );

  it("a user deleted meanwhile gets a refusal (the password cannot match), not a crash", async () => {
    const error = await refusal(change({ id: "usr_gone", email: "gone@example.com" }, good));
    expect(error.fields).toEqual({ currentPassword: ["password.wrong"] });
  });
});

describe("changeName", () => {
  it("sets a trimmed name, which the guards read at once", async () => {
    const { user, phone } = await buyer();
    expect(await changeName(t.db(), user.id, { name: "  小李  " })).toEqual({ name: "小李" });
    expect((await userForSession(t.db(), phone))?.name).toBe("小李");
  });

  it("an empty name removes it", async () => {
    const { user, phone } = await buyer();
    await changeName(t.db(), user.id, { name: "小李" });
    expect(await changeName(t.db(), user.id, { name: "   " })).toEqual({ name: null });
    expect((await userForSession(t.db(), phone))?.name).toBeNull();
    expect(await changeName(t.db(), user.id, {})).toEqual({ name: null });
  });

  it.each([
    ["a 51-character name", { name: "名".repeat(51) }, "name.too_long"],
    ["a non-string", { name: 7 }, "name.invalid"],
    ["null", { name: null }, "name.invalid"],
  ])("refuses %s with a field code (422)", async (_label, input, code) => {
    const { user, phone } = await buyer();
    const error = await refusal(changeName(t.db(), user.id, input));
    expect(error.status).toBe(422);
    expect(error.fields).toEqual({ name: [code] });
    expect((await userForSession(t.db(), phone))?.name).toBeNull();
  });

  it("does not touch the session version (a name is no reason to sign out)", async () => {
    const { user, phone, laptop } = await buyer();
    await changeName(t.db(), user.id, { name: "Li" });
    expect(await userForSession(t.db(), phone)).not.toBeNull();
    expect(await userForSession(t.db(), laptop)).not.toBeNull();
  });

  it("an unknown user is unauthorized (401)", async () => {
    const error = await refusal(changeName(t.db(), "usr_gone", { name: "x" }));
    expect(error.code).toBe("unauthorized");
  });
});
