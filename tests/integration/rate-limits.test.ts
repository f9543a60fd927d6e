import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { POST as signupRoute } from "@/app/api/account/signup/route";
import { POST as ordersRoute } from "@/app/api/orders/route";
import { openDatabase, type DbHandle } from "@/db/client";
import { counterValue } from "@/db/queries/rate-limits";
import { orders, rateLimitCounters, users } from "@/db/schema";
import { assertUser } from "@/lib/auth/guards";
import { advanceClock } from "@/lib/clock";
import { getEnv } from "@/lib/env";
import { UNKNOWN_CLIENT } from "@/lib/http/client-ip";
import { now } from "@/lib/now";
import { signUpAction } from "@/lib/auth/actions";
import { buyAction } from "@/lib/orders/actions";
import {
  MAX_OPEN_PURCHASES,
  RATE_LIMITS,
  takeSlots,
  type RateLimit,
  type RateLimitDeps,
} from "@/lib/rate-limit";
import { getRuntime } from "@/lib/runtime";
import { withTestDatabase } from "../helpers/db";
import { makeProduct, makeUser } from "../helpers/factories";
import { onSandboxClock, withPurchaseTestbed } from "../helpers/purchase-testbed";
import { statementsOf } from "../helpers/statements";

// Routes and actions run as in a request: the signed-in buyer, the request's headers and the
// runtime are the test's (the runtime is the purchase testbed: sandbox over loopback, test clock).
vi.mock("@/lib/auth/guards", () => ({ assertUser: vi.fn() }));
vi.mock("@/lib/runtime", () => ({ getRuntime: vi.fn(), kickNotices: vi.fn() }));
const requestHeaders = vi.hoisted(() => ({ current: new Headers() }));
vi.mock("next/headers", () => ({
  headers: async () => requestHeaders.current,
  cookies: async () => ({ get: () => undefined }),
}));
// next-auth cannot load outside Next; the sign-up action reaches signIn only after a sign-up.
vi.mock("next-auth", () => ({
  AuthError: class extends Error {},
  CredentialsSignin: class extends Error {},
}));
vi.mock("@/lib/auth", () => ({ signIn: vi.fn(), signOut: vi.fn() }));

const t = withTestDatabase();

async function errorOf(response: Response) {
  const body = (await response.json()) as { error: { code: string; message: string } };
  return { status: response.status, code: body.error.code, message: body.error.message };
}

function signUp(email: string, headers: Record<string, string> = {}, password = "a good password") {
  return signupRoute(
    new Request("http://localhost/api/account/signup", {
      method: "POST",
      body: JSON.stringify({ email, password }),
      headers: { "content-type": "application/json", ...headers },
    }),
    undefined,
  );
}

/** Moves the sandbox clock to just after the start of the next window of `limit`. */
async function toWindowStart(limit: RateLimit): Promise<void> {
  const windowMs = limit.windowSeconds * 1000;
  const at = (await now()).getTime();
  await advanceClock(t.db(), (windowMs - (at % windowMs)) / 1000 + 1);
}

function retryAfterOf(response: Response): number {
  const value = response.headers.get("retry-after");
  expect(value).toMatch(/^\d+$/);
  return Number(value);
}

describe("sign-up limit per client (POST /api/account/signup)", () => {
  it("answers 429 with Retry-After past 5 sign-ups an hour, whatever X-Forwarded-For says", async () => {
    const { limit, windowSeconds } = RATE_LIMITS.signupPerClient;
    await toWindowStart(RATE_LIMITS.signupPerClient);
    // Typos do not count: a refused form gives its slot back.
    for (let i = 0; i < 3; i++) {
      expect((await signUp(`typo${i}@example.com`, {}, "short")).status).toBe(422);
    }
    // Default TRUSTED_PROXY_HOPS=0: a spoofed X-Forwarded-For puts nobody in another bucket.
    for (let i = 0; i < limit; i++) {
      const response = await signUp(`buyer${i}@example.com`, {
        "x-forwarded-for": `198.51.100.${i}`,
        "x-real-ip": `203.0.113.${i}`,
      });
      expect(response.status).toBe(201);
    }
    const refused = await signUp("one-more@example.com", { "x-forwarded-for": "192.0.2.77" });
    expect(await errorOf(refused)).toMatchObject({ status: 429, code: "rate_limited" });
    const retryAfter = retryAfterOf(refused);
    expect(retryAfter).toBeGreaterThan(windowSeconds - 60);
    expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
    expect(await t.db().$count(users)).toBe(limit);

    // A second before the window ends: still refused; once it has: accepted.
    await advanceClock(t.db(), retryAfter - 2);
    expect((await signUp("early@example.com")).status).toBe(429);
    await advanceClock(t.db(), 2);
    expect((await signUp("later@example.com")).status).toBe(201);
  });

  it("keeps the slot of a sign-up refused for a taken email (no free address probing)", async () => {
    await toWindowStart(RATE_LIMITS.signupPerClient);
    expect((await signUp("taken@example.com")).status).toBe(201);
    for (let i = 0; i < RATE_LIMITS.signupPerClient.limit - 1; i++) {
      expect((await signUp("TAKEN@example.com")).status).toBe(409);
    }
    expect((await signUp("fresh@example.com")).status).toBe(429);
  });

  it("the sign-up form says so too (signUpAction)", async () => {
    await toWindowStart(RATE_LIMITS.signupPerClient);
    // The client's hour is used up (by the JSON route or the form: one bucket).
    expect((await signUp("first@example.com")).status).toBe(201);
    for (let i = 1; i < RATE_LIMITS.signupPerClient.limit; i++) {
      await takeSlots({ db: t.db(), now }, [
        { limit: RATE_LIMITS.signupPerClient, key: UNKNOWN_CLIENT },
      ]);
    }
    const form = new FormData();
    form.set("email", "form-late@example.com");
    form.set("password", "a good password");
    expect(await signUpAction({}, form)).toEqual({
      error: "signup_rate_limited",
      values: { email: "form-late@example.com", name: "" },
    });
  });
});

describe("order limits (POST /api/orders and the buy action)", () => {
  const p = withPurchaseTestbed(t);
  let signedIn: { id: string; email: string };

  beforeEach(async () => {
    vi.mocked(getRuntime).mockImplementation(async () => ({
      ...p.bed.deps,
      clock: p.bed.clock,
    }));
    signedIn = { id: p.buyerId, email: "buyer@example.com" };
    vi.mocked(assertUser).mockImplementation(async () => ({
      ...signedIn,
      name: null,
      role: "buyer",
    }));
    requestHeaders.current = new Headers();
    // Every window starts with the test: the testbed's clock begins at a window boundary.
    const windowMs = RATE_LIMITS.orderPerAccount.windowSeconds * 1000;
    const at = p.bed.clock.current().getTime();
    p.bed.clock.advance((windowMs - (at % windowMs)) / 1000 + 1);
  });
  afterEach(() => {
    vi.mocked(getRuntime).mockReset();
    vi.mocked(assertUser).mockReset();
  });

  function order(slug = "side-hustle-handbook", headers: Record<string, string> = {}) {
    return ordersRoute(
      new Request("http://localhost/api/orders", {
        method: "POST",
        body: JSON.stringify({ productSlug: slug }),
        headers: { "content-type": "application/json", ...headers },
      }),
      undefined,
    );
  }

  it("answers 429 with Retry-After past 10 orders per account in 10 minutes", async () => {
    const { limit, windowSeconds } = RATE_LIMITS.orderPerAccount;
    for (let i = 0; i < limit; i++) expect((await order()).status).toBe(201);
    const refused = await order();
    expect(await errorOf(refused)).toMatchObject({ status: 429, code: "rate_limited" });
    const retryAfter = retryAfterOf(refused);
    expect(retryAfter).toBeGreaterThan(windowSeconds - 60);
    expect(retryAfter).toBeLessThanOrEqual(windowSeconds);

    // The buy button says so instead of going to checkout.
    const form = new FormData();
    form.set("productSlug", "side-hustle-handbook");
    expect(await buyAction({}, form)).toEqual({ error: "rate_limited" });

    p.bed.clock.advance(retryAfter);
    expect((await order()).status).toBe(201);
  });

  it("answers 429 past 30 orders per client, whichever accounts it uses", async () => {
    const perAccount = RATE_LIMITS.orderPerAccount.limit;
    const perClient = RATE_LIMITS.orderPerClient.limit;
    for (let made = 0; made < perClient; made += perAccount) {
      const user = await makeUser(t.db());
      signedIn = { id: user.id, email: user.email };
      for (let i = 0; i < perAccount && made + i < perClient; i++) {
        expect((await order()).status).toBe(201);
      }
    }
    const fresh = await makeUser(t.db());
    signedIn = { id: fresh.id, email: fresh.email };
    const refused = await order();
    expect(await errorOf(refused)).toMatchObject({ status: 429, code: "rate_limited" });
    retryAfterOf(refused);
    // The fresh account's slot, taken before the client's was refused, was given back.
    const windowMs = RATE_LIMITS.orderPerAccount.windowSeconds * 1000;
    const at = p.bed.clock.current().getTime();
    expect(
      await counterValue(t.db(), {
        bucket: RATE_LIMITS.orderPerAccount.bucket,
        key: fresh.id,
        windowStart: new Date(Math.floor(at / windowMs) * windowMs),
      }),
    ).toBe(0);
  });

  it("a checkout reads the sandbox clock once and decides in one statement (issue #14)", async () => {
    await advanceClock(t.db(), 5 * 60);
    vi.mocked(getRuntime).mockImplementation(async () => onSandboxClock(p, t.db()));
    // The first order of a window also clears the buckets' ended windows: measured after it.
    expect((await order("side-hustle-handbook")).status).toBe(201);
    await makeProduct(t.db(), { slug: "second-pack", kind: "credit_pack", credits: 10 });
    const { result, statements } = await statementsOf(t.db(), () => order("second-pack"));
    expect(result.status).toBe(201);
    // The testbed's Youzan sandbox shares the database: its statements (and, on postgres.js, its
    // transaction's begin) are not the shop's.
    const shop = statements.filter(
      (text) => !/"sandbox"\."youzan_/.test(text) && !/^(begin|commit)\b/.test(text),
    );
    const list = shop.join("\n---\n");
    // The clock once; then the two rate-limit slots, the facts, the insert and the QR's attach.
    expect(
      shop.filter((text) => text.startsWith('select "offset_ms"')),
      list,
    ).toHaveLength(1);
    expect(
      shop.filter((text) => /from "products"/.test(text)),
      list,
    ).toHaveLength(1);
    expect(
      shop.filter((text) => /from "entitlements"/.test(text)),
      list,
    ).toHaveLength(1);
    expect(shop, list).toHaveLength(6);
    const body = (await result.json()) as { expiresAt: string };
    // The expiry is on the sandbox clock (5 minutes ahead) plus the order's time to live.
    const ahead = Date.parse(body.expiresAt) - Date.now() - p.bed.deps.orderTtlMinutes * 60_000;
    expect(ahead).toBeGreaterThan(4 * 60_000);
    expect(ahead).toBeLessThanOrEqual(5 * 60_000);
  });

  it(`caps open unpaid orders at ${MAX_OPEN_PURCHASES}: 429 until one expires`, async () => {
    for (let i = 1; i <= MAX_OPEN_PURCHASES + 1; i++) {
      await makeProduct(t.db(), { slug: `cap-${i}`, kind: "credit_pack", credits: 10 });
    }
    for (let i = 1; i <= MAX_OPEN_PURCHASES; i++)
      expect((await order(`cap-${i}`)).status).toBe(201);
    const refused = await order(`cap-${MAX_OPEN_PURCHASES + 1}`);
    const error = await errorOf(refused);
    expect(error).toMatchObject({ status: 429, code: "rate_limited" });
    expect(error.message).toMatch(/unpaid orders/);
    const ttlSeconds = p.bed.deps.orderTtlMinutes * 60;
    const retryAfter = retryAfterOf(refused);
    expect(retryAfter).toBeGreaterThan(ttlSeconds - 60);
    expect(retryAfter).toBeLessThanOrEqual(ttlSeconds);
    expect(await t.db().$count(orders)).toBe(MAX_OPEN_PURCHASES);
    // Asking again for one of the open ones is not a new QR code: it is answered.
    expect((await order("cap-1")).status).toBe(201);
    // Once they have expired, a new order can start.
    p.bed.clock.advance(retryAfter);
    expect((await order(`cap-${MAX_OPEN_PURCHASES + 1}`)).status).toBe(201);
  });
});

describe("limits shared by every instance", () => {
  const limit: RateLimit = { bucket: "test:shared", limit: 7, windowSeconds: 600 };

  it("two database handles taking slots at once never exceed the limit in total", async () => {
    const env = getEnv();
    // On PostgreSQL: a second connection pool, as a second server instance would have. PGlite
    // is one process and can be opened once: both "instances" share its one handle there.
    const second: DbHandle | undefined =
      env.database.kind === "postgres"
        ? await openDatabase({ kind: "postgres", url: env.database.url, poolMax: 5 })
        : undefined;
    try {
      const at = new Date("2026-12-01T00:00:01.000Z");
      const instances: RateLimitDeps[] = [t.db(), second?.db ?? t.db()].map((db) => ({
        db,
        now: async () => at,
        scale: 1,
      }));
      const attempts = instances.flatMap((deps) =>
        Array.from({ length: 20 }, () =>
          takeSlots(deps, [{ limit, key: "one-client" }]).then(
            () => "taken" as const,
            (error: unknown) => {
              expect(error).toMatchObject({ code: "rate_limited", retryAfterSeconds: 599 });
              return "refused" as const;
            },
          ),
        ),
      );
      const outcomes = await Promise.all(attempts);
      expect(outcomes.filter((o) => o === "taken")).toHaveLength(limit.limit);
      expect(
        await counterValue(t.db(), {
          bucket: limit.bucket,
          key: "one-client",
          windowStart: new Date("2026-12-01T00:00:00.000Z"),
        }),
      ).toBe(limit.limit);
    } finally {
      await second?.close();
    }
  });

  it("the first request of a new window clears the bucket's ended windows", async () => {
    const deps = (iso: string): RateLimitDeps => ({
      db: t.db(),
      now: async () => new Date(iso),
      scale: 1,
    });
    await takeSlots(deps("2026-12-01T00:00:01Z"), [{ limit, key: "a" }]);
    await takeSlots(deps("2026-12-01T00:00:02Z"), [{ limit, key: "b" }]);
    expect(await t.db().$count(rateLimitCounters)).toBe(2);
    await takeSlots(deps("2026-12-01T00:10:01Z"), [{ limit, key: "a" }]);
    expect(await t.db().$count(rateLimitCounters)).toBe(1);
  });

  it("RATE_LIMIT_SCALE multiplies the limit", async () => {
    const at = new Date("2026-12-01T00:00:01Z");
    const deps: RateLimitDeps = { db: t.db(), now: async () => at, scale: 2 };
    for (let i = 0; i < limit.limit * 2; i++) await takeSlots(deps, [{ limit, key: "scaled" }]);
    await expect(takeSlots(deps, [{ limit, key: "scaled" }])).rejects.toMatchObject({
      code: "rate_limited",
    });
  });
});
