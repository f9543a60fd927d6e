import { describe, expect, it } from "vitest";
import { signinAttempts } from "@/db/schema";
import { authenticate, IP_FAILURE_MULTIPLIER } from "@/lib/auth/authenticate";
import { signUp } from "@/lib/auth/signup";
import { withTestDatabase } from "../helpers/db";

const t = withTestDatabase();
const limits = { maxFailures: 3, windowMinutes: 15 };
const T0 = new Date("2026-11-22T08:00:00Z");
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

async function buyer(email = "zhang@example.com", password = "right-password") {
  await signUp(t.db(), { email, password });
  return { email, password };
}

describe("authenticate", () => {
  it("accepts the right password, case-insensitively on the email", async () => {
    const { password } = await buyer();
    const result = await authenticate(
      t.db(),
      { email: "ZHANG@example.com", password, ip: "1.1.1.1" },
      T0,
      limits,
    );
    expect(result.ok && result.user.email).toBe("zhang@example.com");
  });

  it("rejects a wrong password, an unknown email and malformed input alike", async () => {
    await buyer();
    for (const input of [
      { email: "zhang@example.com", password: "wrong" },
      { email: "nobody@example.com", password: "right-password" },
      { email: { $ne: "" }, password: "x" },
      { email: undefined, password: undefined },
    ]) {
      const result = await authenticate(t.db(), { ...input, ip: "1.1.1.1" }, T0, limits);
      expect(result).toEqual({ ok: false, reason: "invalid" });
    }
  });

  it("throttles an email after repeated failures, even with the right password, until the window passes", async () => {
    const { email, password } = await buyer();
    for (let i = 0; i < limits.maxFailures; i++) {
      const r = await authenticate(
        t.db(),
        { email, password: "wrong", ip: `10.0.0.${i}` },
        minutes(i),
        limits,
      );
      expect(r).toEqual({ ok: false, reason: "invalid" });
    }
    const blocked = await authenticate(
      t.db(),
      { email, password, ip: "10.0.1.1" },
      minutes(3),
      limits,
    );
    expect(blocked).toEqual({ ok: false, reason: "throttled" });

    // Throttled attempts are recorded, so the window slides with an ongoing attack.
    const later = await authenticate(
      t.db(),
      { email, password, ip: "10.0.1.1" },
      minutes(3 + 15),
      limits,
    );
    expect(later.ok).toBe(true);
    expect(await t.db().$count(signinAttempts)).toBe(limits.maxFailures + 2);
  });

  it("does not count successful sign-ins as failures", async () => {
    const { email, password } = await buyer();
    for (let i = 0; i < limits.maxFailures * 2; i++) {
      const r = await authenticate(t.db(), { email, password, ip: "1.1.1.1" }, minutes(i), limits);
      expect(r.ok).toBe(true);
    }
  });

  it("throttles one address trying many accounts", async () => {
    await buyer("victim@example.com", "victim-password");
    const ip = "203.0.113.9";
    const budget = limits.maxFailures * IP_FAILURE_MULTIPLIER;
    for (let i = 0; i < budget; i++) {
      await authenticate(
        t.db(),
        { email: `guess${i}@example.com`, password: "x", ip },
        minutes(0),
        limits,
      );
    }
    const fromAttacker = await authenticate(
      t.db(),
      { email: "victim@example.com", password: "victim-password", ip },
      minutes(1),
      limits,
    );
    expect(fromAttacker).toEqual({ ok: false, reason: "throttled" });
    const fromElsewhere = await authenticate(
      t.db(),
      { email: "victim@example.com", password: "victim-password", ip: "198.51.100.1" },
      minutes(1),
      limits,
    );
    expect(fromElsewhere.ok).toBe(true);
  });
});
