import { and, asc, count, eq, is, isNull, sql } from "drizzle-orm";
import { getTableConfig, PgTable } from "drizzle-orm/pg-core";
import { beforeEach, describe, expect, it } from "vitest";
import { findUserById } from "@/db/queries/users";
import * as schema from "@/db/schema";
import { auditLog, notices, passwordResetTokens, rateLimitCounters } from "@/db/schema";
import { authenticate } from "@/lib/auth/authenticate";
import {
  checkResetToken,
  hashResetToken,
  requestPasswordReset,
  resetPassword,
  RESET_TOKEN_TTL_MINUTES,
  type PasswordResetDeps,
} from "@/lib/auth/password-reset";
import { userForSession, type SessionLike } from "@/lib/auth/session-version";
import { signUp } from "@/lib/auth/signup";
import { advanceClock } from "@/lib/clock";
import { now as shopNow } from "@/lib/now";
import { unseal } from "@/lib/notices/tokens";
import { RATE_LIMITS } from "@/lib/rate-limit";
import { withTestDatabase } from "../helpers/db";
import { gate } from "../helpers/gate";

/*
 * Issue #13, password reset, below the pages: the token is stored hashed (and carried sealed by
 * its notice), lives 30 minutes on the shop's clock, works once — also when two submissions race
 * on PostgreSQL —, a newer one revokes the older; an unknown address gets the same answer and no
 * notice; requests are throttled per address and per client; a reset signs out every session
 * and is audited. tests/e2e/password-reset.spec.ts goes through the pages and the mailbox.
 */

const t = withTestDatabase();
const db = () => t.db();
const onPostgres = Boolean(process.env.TEST_DATABASE_URL);
const AUTH_SECRET = "test-auth-secret-0123456789abcdef0123456789";
const T0 = new Date("2026-11-22T08:00:00Z");
const CLIENT = "10.0.0.1";
const EMAIL = "li@example.com";
const OLD = "old-password-1";
const NEW = "new-password-1";

/** A clock the test moves by hand (T0 starts a window of every reset limit). */
let clock: Date;
const minutesLater = (n: number) => (clock = new Date(clock.getTime() + n * 60_000));
beforeEach(() => {
  clock = T0;
});

const deps = (): PasswordResetDeps => ({
  db: db(),
  now: async () => clock,
  authSecret: AUTH_SECRET,
  scale: 1,
});

const ask = (email: string, client = CLIENT, d = deps()) =>
  requestPasswordReset(d, { email, client });

const reset = (token: string, password = NEW, d = deps()) =>
  resetPassword(d, { token, password, confirmPassword: password });

async function buyer(email = EMAIL) {
  const user = await signUp(db(), { email, password: OLD });
  const row = await findUserById(db(), user.id);
  const session = (): SessionLike => ({
    user: { id: user.id },
    sessionVersion: row?.sessionVersion,
  });
  return { ...user, phone: session(), laptop: session() };
}

const resetNotices = () =>
  db()
    .select()
    .from(notices)
    .where(eq(notices.kind, "password_reset"))
    .orderBy(asc(notices.createdAt), asc(notices.id));

const tokenRows = () =>
  db().select().from(passwordResetTokens).orderBy(asc(passwordResetTokens.createdAt));

/** The raw token of the newest reset notice, as the sender will unseal it. */
async function mailedToken(): Promise<string> {
  const rows = await resetNotices();
  const sealed = rows.at(-1)?.data.sealed;
  const token = unseal(AUTH_SECRET, sealed);
  if (!token) throw new Error("no sealed token in the newest reset notice");
  return token;
}

const signsIn = async (email: string, password: string) =>
  (
    await authenticate(
      db(),
      { email, password, ip: "10.9.9.9" },
      new Date(clock.getTime() + 36e5),
      {
        maxFailures: 5,
        windowMinutes: 15,
      },
    )
  ).ok;

const shopTables = (Object.values(schema) as unknown[]).filter((value): value is PgTable =>
  is(value, PgTable),
);

/** Tables any of whose rows contains `needle` anywhere in its text form. */
async function tablesHolding(needle: string): Promise<string[]> {
  const found: string[] = [];
  for (const table of shopTables) {
    const { name, schema: schemaName } = getTableConfig(table);
    const qualified = sql.raw(`"${schemaName ?? "public"}"."${name}"`);
    const [row] = await db()
      .select({ n: count() })
      .from(sql`${qualified} t`)
      .where(sql`strpos(t::text, ${needle}) > 0`);
    if ((row?.n ?? 0) > 0) found.push(name);
  }
  return found;
}

describe("asking for a reset", () => {
  it("stores only the token's hash; its notice carries it sealed, and nothing else holds it", async () => {
    const user = await buyer();
    expect(await ask(EMAIL)).toEqual({ ok: true });

    const [token] = await tokenRows();
    const [notice] = await resetNotices();
    const raw = await mailedToken();
    expect(raw).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(token).toMatchObject({
      id: expect.stringMatching(/^prt_/),
      userId: user.id,
      tokenHash: hashResetToken(raw),
      usedAt: null,
      revokedAt: null,
    });
    expect(notice).toMatchObject({
      kind: "password_reset",
      channel: "email",
      eventKey: `reset:${token!.id}`,
      recipient: EMAIL,
      userId: user.id,
      status: "pending",
      data: {
        tokenId: token!.id,
        sealed: expect.any(String),
        expiresAt: token!.expiresAt.toISOString(),
      },
    });
    expect(Object.keys(notice!.data).sort()).toEqual(["expiresAt", "sealed", "tokenId"]);

    // Not in clear anywhere: no table, no column, not the notice's data, not the counters.
    expect(await tablesHolding(raw)).toEqual([]);
    // The per-address counter is keyed by a digest, not by the address.
    const counters = await db().select().from(rateLimitCounters);
    expect(counters.map((c) => c.key)).not.toContain(EMAIL);
  });

  it("normalises the address as sign-up does (trimmed, lower-case)", async () => {
    const user = await buyer();
    expect(await ask("  LI@Example.COM ")).toEqual({ ok: true });
    expect(await tokenRows()).toEqual([expect.objectContaining({ userId: user.id })]);
  });

  it("an unknown address: the same answer, no token, no notice", async () => {
    await buyer();
    expect(await ask("nobody@example.com")).toEqual({ ok: true });
    expect(await tokenRows()).toEqual([]);
    expect(await resetNotices()).toEqual([]);
  });

  it("refuses only a malformed address, with sign-up's field codes", async () => {
    expect(await ask("not-an-email")).toEqual({ ok: false, fields: { email: ["email.invalid"] } });
    expect(await ask("")).toEqual({ ok: false, fields: { email: ["email.required"] } });
    expect(await db().select().from(rateLimitCounters)).toEqual([]);
  });

  it("a newer request revokes the older token: only the newest link works", async () => {
    await buyer();
    await ask(EMAIL);
    const first = await mailedToken();
    minutesLater(1);
    await ask(EMAIL);
    const second = await mailedToken();
    expect(second).not.toBe(first);

    const rows = await tokenRows();
    expect(rows).toHaveLength(2);
    expect(rows[0]!.revokedAt).toEqual(clock);
    expect(rows[1]!.revokedAt).toBeNull();
    expect(await resetNotices()).toHaveLength(2);

    expect(await checkResetToken(deps(), first)).toEqual({ ok: false, reason: "invalid" });
    expect(await reset(first)).toEqual({ ok: false, reason: "invalid" });
    expect(await signsIn(EMAIL, OLD)).toBe(true);
    expect(await reset(second)).toMatchObject({ ok: true });
  });

  it("requests racing for one account leave one usable token, each token with its notice", async () => {
    await buyer();
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => ask(EMAIL, `10.0.0.${i + 1}`, { ...deps(), scale: 5 })),
    );
    expect(results).toEqual(Array(5).fill({ ok: true }));
    const rows = await tokenRows();
    expect(rows.filter((r) => r.revokedAt === null)).toHaveLength(1);
    const mailed = await resetNotices();
    expect(mailed.map((n) => n.data.tokenId).sort()).toEqual(rows.map((r) => r.id).sort());
  });
});

describe("throttling requests", () => {
  it(`per address: ${RATE_LIMITS.passwordResetPerAddress.limit} per 15 minutes, from any client; the same answer past it`, async () => {
    await buyer();
    const { limit } = RATE_LIMITS.passwordResetPerAddress;
    for (let i = 0; i < limit; i++) expect(await ask(EMAIL, `10.0.1.${i}`)).toEqual({ ok: true });
    expect(await tokenRows()).toHaveLength(limit);

    // Another client, another spelling: still the same address.
    expect(await ask(" Li@example.com", "10.0.2.1")).toEqual({ ok: true });
    expect(await tokenRows()).toHaveLength(limit);
    expect(await resetNotices()).toHaveLength(limit);

    minutesLater(15);
    expect(await ask(EMAIL, "10.0.2.1")).toEqual({ ok: true });
    expect(await tokenRows()).toHaveLength(limit + 1);
  });

  it(`per client: ${RATE_LIMITS.passwordResetPerClient.limit} per 15 minutes, whichever addresses; the same answer past it`, async () => {
    await buyer();
    const { limit } = RATE_LIMITS.passwordResetPerClient;
    for (let i = 0; i < limit; i++) {
      expect(await ask(`stranger${i}@example.com`)).toEqual({ ok: true });
    }
    // The client's next request names a real account: nothing is issued for it.
    expect(await ask(EMAIL)).toEqual({ ok: true });
    expect(await tokenRows()).toEqual([]);
    expect(await resetNotices()).toEqual([]);
    // Another client is not held back.
    expect(await ask(EMAIL, "10.0.0.2")).toEqual({ ok: true });
    expect(await tokenRows()).toHaveLength(1);
  });
});

describe("resetting the password", () => {
  it("sets the new password, signs out every session and is audited without secrets", async () => {
    const user = await buyer();
    await ask(EMAIL);
    const token = await mailedToken();
    expect(await checkResetToken(deps(), token)).toEqual({ ok: true, email: EMAIL });
    expect(await userForSession(db(), user.phone)).not.toBeNull();

    minutesLater(5);
    expect(await reset(token)).toEqual({ ok: true, userId: user.id, email: EMAIL });

    expect(await userForSession(db(), user.phone)).toBeNull();
    expect(await userForSession(db(), user.laptop)).toBeNull();
    expect((await findUserById(db(), user.id))?.sessionVersion).toBe(1);
    expect(await signsIn(EMAIL, OLD)).toBe(false);
    expect(await signsIn(EMAIL, NEW)).toBe(true);

    const [row] = await tokenRows();
    expect(row!.usedAt).toEqual(clock);
    const audits = await db()
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, "account.password_reset"));
    expect(audits).toEqual([
      expect.objectContaining({
        actorKind: "user",
        actorUserId: user.id,
        targetType: "user",
        targetId: user.id,
        details: { tokenId: row!.id, sessionVersion: 1 },
      }),
    ]);
    expect(JSON.stringify(audits)).not.toContain(token);
    expect(JSON.stringify(audits)).not.toMatch(/new-password|scrypt/);
  });

  it("works once: the used link is refused and changes nothing", async () => {
    const user = await buyer();
    await ask(EMAIL);
    const token = await mailedToken();
    expect(await reset(token)).toMatchObject({ ok: true });
    expect(await checkResetToken(deps(), token)).toEqual({ ok: false, reason: "used" });
    expect(await reset(token, "another-password")).toEqual({ ok: false, reason: "used" });
    expect(await signsIn(EMAIL, NEW)).toBe(true);
    expect(await signsIn(EMAIL, "another-password")).toBe(false);
    expect((await findUserById(db(), user.id))?.sessionVersion).toBe(1);
  });

  it(`lives ${RESET_TOKEN_TTL_MINUTES} minutes on the shop's clock (the sandbox's virtual clock)`, async () => {
    await buyer();
    const onShopClock = { ...deps(), now: shopNow };
    const asked = await shopNow();
    await ask(EMAIL, CLIENT, onShopClock);
    const token = await mailedToken();
    const [row] = await tokenRows();
    const ttl = row!.expiresAt.getTime() - asked.getTime();
    expect(ttl).toBeGreaterThanOrEqual(30 * 60_000);
    expect(ttl).toBeLessThan(30 * 60_000 + 10_000);

    await advanceClock(db(), 29 * 60);
    expect(await checkResetToken(onShopClock, token)).toEqual({ ok: true, email: EMAIL });

    await advanceClock(db(), 2 * 60);
    expect(await checkResetToken(onShopClock, token)).toEqual({ ok: false, reason: "expired" });
    expect(await reset(token, NEW, onShopClock)).toEqual({ ok: false, reason: "expired" });
    expect(await signsIn(EMAIL, OLD)).toBe(true);
    expect(
      await db().select().from(auditLog).where(eq(auditLog.action, "account.password_reset")),
    ).toEqual([]);
  });

  it("refuses a token nobody issued, and bad fields before the token is looked at", async () => {
    await buyer();
    await ask(EMAIL);
    const token = await mailedToken();
    expect(await reset("A".repeat(43))).toEqual({ ok: false, reason: "invalid" });
    expect(await checkResetToken(deps(), "A".repeat(43))).toEqual({ ok: false, reason: "invalid" });
    expect(await checkResetToken(deps(), undefined)).toEqual({ ok: false, reason: "invalid" });
    expect(await reset(token, "short")).toEqual({
      ok: false,
      reason: "fields",
      fields: { password: ["password.too_short"] },
    });
    // The refused form used nothing up.
    expect(await checkResetToken(deps(), token)).toEqual({ ok: true, email: EMAIL });
  });

  async function raceOnOneToken(holdLock: boolean) {
    const user = await buyer();
    await ask(EMAIL);
    const token = await mailedToken();
    const [row] = await tokenRows();
    let attempts: Promise<Awaited<ReturnType<typeof reset>>>[];
    if (holdLock) {
      // The token row held by a third transaction until both resets wait on it: both have read
      // the token as usable and reached their UPDATE before either commits.
      const release = gate();
      const holder = db().transaction(async (tx) => {
        await tx.execute(
          sql`SELECT id FROM password_reset_tokens WHERE id = ${row!.id} FOR UPDATE`,
        );
        await release.pass();
      });
      await release.reached();
      attempts = [reset(token, "racer-one-password"), reset(token, "racer-two-password")];
      await waitForLockWaiters(2);
      release.open();
      await holder;
    } else {
      attempts = [reset(token, "racer-one-password"), reset(token, "racer-two-password")];
    }
    const results = await Promise.all(attempts);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, reason: "used" }]);
    const winner = results[0]!.ok ? "racer-one-password" : "racer-two-password";
    const loser = results[0]!.ok ? "racer-two-password" : "racer-one-password";
    expect(await signsIn(EMAIL, winner)).toBe(true);
    expect(await signsIn(EMAIL, loser)).toBe(false);
    expect((await findUserById(db(), user.id))?.sessionVersion).toBe(1);
    const [audits] = await db()
      .select({ n: count() })
      .from(auditLog)
      .where(eq(auditLog.action, "account.password_reset"));
    expect(audits!.n).toBe(1);
    const used = await db()
      .select()
      .from(passwordResetTokens)
      .where(and(eq(passwordResetTokens.id, row!.id), isNull(passwordResetTokens.usedAt)));
    expect(used).toEqual([]);
  }

  it("two submissions of one token at once: one succeeds, the other reads `used`", async () => {
    await raceOnOneToken(false);
  });

  it.skipIf(!onPostgres)(
    "on PostgreSQL, both waiting on the token row together: the conditional update lets one through",
    async () => {
      await raceOnOneToken(true);
    },
  );
  // PGlite has one connection: the transactions run one after the other there, and the test
  // above checks the outcome serially.

  /** Until `n` sessions of this database wait on a lock (PostgreSQL only). */
  async function waitForLockWaiters(n: number) {
    for (let i = 0; i < 500; i++) {
      const [row] = await db()
        .select({ n: sql<number>`count(*)::int` })
        .from(sql`pg_stat_activity`)
        .where(sql`datname = current_database() AND wait_event_type = 'Lock'`);
      if ((row?.n ?? 0) >= n) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`fewer than ${n} sessions ever waited on the token row`);
  }
});
