import { describe, expect, it } from "vitest";
import { signinAttempts } from "@/db/schema";
import {
  authenticate,
  BASE_DELAY_SECONDS,
  IP_FAILURE_MULTIPLIER,
  MAX_ACCOUNT_DELAY_SECONDS,
  MAX_DELAY_SECONDS,
  type AuthenticateResult,
} from "@/lib/auth/authenticate";
import { signDevice, verifyDevice } from "@/lib/auth/known-device";
import { signUp } from "@/lib/auth/signup";
import { withTestDatabase } from "../helpers/db";

const t = withTestDatabase();
const limits = { maxFailures: 3, windowMinutes: 15 };
const T0 = new Date("2026-11-22T08:00:00Z");
const seconds = (n: number) => new Date(T0.getTime() + n * 1000);
const minutes = (n: number) => seconds(n * 60);

async function buyer(email = "zhang@example.com", password = "right-password") {
  await signUp(t.db(), { email, password });
  return { email, password };
}

function attempt(
  input: { email: string; password: string; ip: string; device?: string | null },
  at: Date,
): Promise<AuthenticateResult> {
  return authenticate(t.db(), input, at, limits);
}

/** Signs in once from a fresh client and returns the client's known-device id. */
async function knownClient(email: string, password: string, ip: string, at: Date) {
  const result = await attempt({ email, password, ip }, at);
  if (!result.ok) throw new Error(`could not sign in: ${result.reason}`);
  return result.device;
}

describe("authenticate", () => {
  it("accepts the right password, case-insensitively on the email", async () => {
    const { password } = await buyer();
    const result = await attempt({ email: "ZHANG@example.com", password, ip: "1.1.1.1" }, T0);
    expect(result.ok && result.user.email).toBe("zhang@example.com");
    expect(result.ok && result.device).toMatch(/^[A-Za-z0-9_-]{16,}$/);
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

  it("does not count successful sign-ins as failures", async () => {
    const { email, password } = await buyer();
    for (let i = 0; i < limits.maxFailures * 2; i++) {
      const r = await attempt({ email, password, ip: "1.1.1.1" }, minutes(i));
      expect(r.ok).toBe(true);
    }
  });

  it("delays one client on one account with growing waits, and never locks it out", async () => {
    const { email, password } = await buyer();
    const ip = "10.0.0.1";
    for (let i = 0; i < limits.maxFailures; i++) {
      expect(await attempt({ email, password: "wrong", ip }, seconds(i))).toEqual({
        ok: false,
        reason: "invalid",
      });
    }
    const last = limits.maxFailures - 1;
    // After the free failures: wait 5 s after the latest one, even with the right password.
    expect(await attempt({ email, password, ip }, seconds(last + 1))).toEqual({
      ok: false,
      reason: "throttled",
      retryAfterSeconds: BASE_DELAY_SECONDS - 1,
    });
    // One more failure once the wait is over doubles the next wait.
    await attempt({ email, password: "wrong", ip }, seconds(last + BASE_DELAY_SECONDS));
    const blocked = await attempt({ email, password, ip }, seconds(last + BASE_DELAY_SECONDS));
    expect(blocked).toMatchObject({ retryAfterSeconds: 2 * BASE_DELAY_SECONDS });
    const later = await attempt({ email, password, ip }, seconds(last + 3 * BASE_DELAY_SECONDS));
    expect(later.ok).toBe(true);
  });

  it("(d) throttled attempts are not recorded and do not extend the delay", async () => {
    const { email, password } = await buyer();
    const ip = "10.0.0.2";
    for (let i = 0; i < limits.maxFailures; i++) {
      await attempt({ email, password: "wrong", ip }, T0);
    }
    for (let s = 0; s < BASE_DELAY_SECONDS; s++) {
      const r = await attempt({ email, password: "wrong", ip }, seconds(s));
      expect(r).toMatchObject({ reason: "throttled", retryAfterSeconds: BASE_DELAY_SECONDS - s });
    }
    expect(await t.db().$count(signinAttempts)).toBe(limits.maxFailures);
    expect((await attempt({ email, password, ip }, seconds(BASE_DELAY_SECONDS))).ok).toBe(true);
  });

  it("(a) 200 failures from 50 addresses do not stop the admin signing in from a known client", async () => {
    const admin = await buyer("admin@xiaopu.local", "admin-password");
    const device = await knownClient(admin.email, admin.password, "192.0.2.1", minutes(-60));
    for (let i = 0; i < 200; i++) {
      await attempt(
        { email: admin.email, password: `guess-${i}`, ip: `198.51.100.${i % 50}` },
        seconds(i),
      );
    }
    // Right after the flood, from the same shared address the attacker used too.
    const owner = await attempt({ ...admin, ip: "198.51.100.7", device }, seconds(200));
    expect(owner.ok && owner.user.email).toBe(admin.email);
  });

  it("(a) strangers failing from the known client's own address never slow it", async () => {
    const { email, password } = await buyer();
    const device = await knownClient(email, password, "1.1.1.1", minutes(-60));
    for (let i = 0; i < 50; i++) {
      await attempt({ email, password: "wrong", ip: "1.1.1.1" }, seconds(i)); // same address
    }
    // A forged or foreign device cookie is a stranger.
    expect(verifyDevice("secret", signDevice("other-secret", device))).toBeNull();
    expect((await attempt({ email, password, ip: "1.1.1.1", device }, seconds(50))).ok).toBe(true);
  });

  it("(b) one client guessing is slowed to at most a few password checks a minute", async () => {
    await buyer("victim@example.com", "victim-password");
    const ip = "203.0.113.9";
    const checks = { oneAccount: 0, manyAccounts: 0 };
    // One guess per second for 10 virtual minutes, on one account…
    for (let s = 0; s < 600; s++) {
      const r = await attempt({ email: "victim@example.com", password: `g${s}`, ip }, seconds(s));
      if (!(r.ok === false && r.reason === "throttled")) checks.oneAccount++;
    }
    // …and from another address spraying a new account every second.
    for (let s = 0; s < 600; s++) {
      const r = await attempt(
        { email: `user${s}@example.com`, password: "123456", ip: "203.0.113.10" },
        minutes(30 + s / 60),
      );
      if (!(r.ok === false && r.reason === "throttled")) checks.manyAccounts++;
    }
    expect(checks.oneAccount).toBeLessThanOrEqual(15); // 3 free, then 5, 10, 20 … 300 s apart
    expect(checks.manyAccounts).toBeLessThanOrEqual(30); // 12 free, then growing waits
    expect(checks.manyAccounts).toBeGreaterThanOrEqual(limits.maxFailures * IP_FAILURE_MULTIPLIER);
  });

  it("(c) a stranger with the right password after many failures from others is delayed at most briefly", async () => {
    const { email, password } = await buyer();
    for (let i = 0; i < 100; i++) {
      await attempt({ email, password: "wrong", ip: `198.51.100.${i}` }, seconds(i / 10));
    }
    const first = await attempt({ email, password, ip: "192.0.2.50" }, seconds(10));
    expect(first).toMatchObject({ ok: false, reason: "throttled" });
    const wait = first.ok === false && first.reason === "throttled" ? first.retryAfterSeconds : 0;
    expect(wait).toBeLessThanOrEqual(MAX_ACCOUNT_DELAY_SECONDS);
    const second = await attempt({ email, password, ip: "192.0.2.50" }, seconds(10 + wait));
    expect(second.ok).toBe(true);
  });

  it("throttles one address trying many accounts, but not other addresses", async () => {
    await buyer("victim@example.com", "victim-password");
    const ip = "203.0.113.9";
    const budget = limits.maxFailures * IP_FAILURE_MULTIPLIER;
    for (let i = 0; i < budget; i++) {
      await attempt({ email: `guess${i}@example.com`, password: "x", ip }, T0);
    }
    const fromAttacker = await attempt(
      { email: "victim@example.com", password: "victim-password", ip },
      seconds(1),
    );
    expect(fromAttacker).toMatchObject({ ok: false, reason: "throttled" });
    const fromElsewhere = await attempt(
      { email: "victim@example.com", password: "victim-password", ip: "198.51.100.1" },
      seconds(1),
    );
    expect(fromElsewhere.ok).toBe(true);
    // Capped: the attacker's address waits at most five minutes after its latest failure.
    expect(
      (
        await attempt(
          { email: "victim@example.com", password: "victim-password", ip },
          seconds(MAX_DELAY_SECONDS),
        )
      ).ok,
    ).toBe(true);
  });
});
