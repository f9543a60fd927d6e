import { expect, test } from "@playwright/test";
import { SANDBOX_ADMIN, uniqueEmail, uniqueIp } from "./helpers";

test.describe("HTTP API", () => {
  test("sign-in with the standard next-auth flow, as curl does it", async ({
    playwright,
    baseURL,
  }) => {
    const api = await playwright.request.newContext({
      baseURL,
      extraHTTPHeaders: { "x-forwarded-for": uniqueIp() },
    });
    const { csrfToken } = (await (await api.get("/api/auth/csrf")).json()) as { csrfToken: string };
    expect(csrfToken).toMatch(/^[0-9a-f]{32,}$/);
    const callback = await api.post("/api/auth/callback/credentials", {
      form: { email: SANDBOX_ADMIN.email, password: SANDBOX_ADMIN.password, csrfToken },
      maxRedirects: 0,
    });
    expect(callback.status()).toBe(302);
    expect(callback.headers()["location"]).not.toContain("error");
    const session = (await (await api.get("/api/auth/session")).json()) as {
      user?: { email: string; role: string };
    };
    expect(session.user).toMatchObject({ email: SANDBOX_ADMIN.email, role: "admin" });
    const admin = await api.get("/admin", { maxRedirects: 0 });
    expect(admin.status()).toBe(200);
    await api.dispose();
  });

  test("a wrong password through the same flow gets no session", async ({
    playwright,
    baseURL,
  }) => {
    const api = await playwright.request.newContext({
      baseURL,
      extraHTTPHeaders: { "x-forwarded-for": uniqueIp() },
    });
    const { csrfToken } = (await (await api.get("/api/auth/csrf")).json()) as { csrfToken: string };
    const callback = await api.post("/api/auth/callback/credentials", {
      form: { email: SANDBOX_ADMIN.email, password: "wrong", csrfToken },
      maxRedirects: 0,
    });
    expect(callback.status()).toBe(302);
    expect(callback.headers()["location"]).toContain("error=CredentialsSignin");
    expect(await (await api.get("/api/auth/session")).json()).toBeNull();
    await api.dispose();
  });

  test("no route answers 500 to malformed input", async ({ request }) => {
    const probes: {
      method: "GET" | "POST" | "PUT" | "DELETE";
      path: string;
      data?: string;
      headers?: Record<string, string>;
    }[] = [
      {
        method: "POST",
        path: "/api/account/signup",
        data: "{broken",
        headers: { "content-type": "application/json" },
      },
      {
        method: "POST",
        path: "/api/account/signup",
        data: "x".repeat(200_000),
        headers: { "content-type": "application/json" },
      },
      {
        method: "POST",
        path: "/api/account/signup",
        data: '{"email":{"$gt":""},"password":null}',
        headers: { "content-type": "application/json" },
      },
      {
        method: "POST",
        path: "/api/account/signup",
        data: "email=a",
        headers: { "content-type": "text/plain" },
      },
      { method: "GET", path: "/api/account/signup" },
      { method: "DELETE", path: "/api/health" },
      {
        method: "POST",
        path: "/api/auth/callback/credentials",
        data: "garbage=%%%",
        headers: { "content-type": "application/x-www-form-urlencoded" },
      },
      {
        method: "POST",
        path: "/api/auth/callback/credentials",
        data: "{}",
        headers: { "content-type": "application/json" },
      },
      { method: "POST", path: "/api/auth/callback/nope", data: "" },
      { method: "GET", path: "/api/auth/nonsense" },
      {
        method: "POST",
        path: "/api/auth/signout",
        data: "csrfToken=forged",
        headers: { "content-type": "application/x-www-form-urlencoded" },
      },
      { method: "GET", path: "/api/does-not-exist" },
      {
        method: "POST",
        path: "/api/orders",
        data: "{}",
        headers: { "content-type": "application/json" },
      },
      {
        method: "POST",
        path: "/api/orders",
        data: "{broken",
        headers: { "content-type": "application/json" },
      },
      { method: "GET", path: "/api/orders/NOPE/status" },
      { method: "GET", path: "/api/orders/%00%FF/status" },
      {
        method: "POST",
        path: "/api/webhooks/youzan",
        data: "{broken",
        headers: { "content-type": "application/json" },
      },
      {
        method: "POST",
        path: "/api/webhooks/youzan",
        data: '{"type":1,"msg":{"a":[]},"id":null}',
        headers: { "content-type": "application/json" },
      },
      {
        method: "POST",
        path: "/api/webhooks/youzan",
        data: "x".repeat(300_000),
        headers: { "content-type": "application/json" },
      },
      { method: "GET", path: "/api/webhooks/youzan" },
      { method: "GET", path: "/api/cron/orders/reconcile" },
      {
        method: "GET",
        path: "/api/cron/orders/reconcile",
        headers: { authorization: "Bearer nope" },
      },
      {
        method: "POST",
        path: "/sandbox/youzan/auth/token",
        data: "client_id=x",
        headers: { "content-type": "application/x-www-form-urlencoded" },
      },
      {
        method: "POST",
        path: "/sandbox/youzan/api/youzan.trade.get/4.0.2?access_token=zzz",
        data: "{broken",
        headers: { "content-type": "application/json" },
      },
      {
        method: "POST",
        path: "/sandbox/youzan/api/x",
        data: "{}",
        headers: { "content-type": "application/json" },
      },
      {
        method: "POST",
        path: "/sandbox/youzan/control/pay",
        data: '{"qrId":"999999999"}',
        headers: { "content-type": "application/json" },
      },
      {
        method: "POST",
        path: "/sandbox/youzan/control/pay",
        data: "[]",
        headers: { "content-type": "application/json" },
      },
      {
        method: "POST",
        path: "/sandbox/youzan/control/faults",
        data: '{"slowMs":"soon"}',
        headers: { "content-type": "application/json" },
      },
      {
        method: "POST",
        path: "/sandbox/control/clock",
        data: '{"advanceSeconds":-5}',
        headers: { "content-type": "application/json" },
      },
      { method: "GET", path: "/sandbox/youzan/pay?qr_id=%27%3B--" },
      { method: "GET", path: "/checkout/NOPE" },
      { method: "GET", path: "/products/%ZZ" },
      { method: "GET", path: "/signin?callbackUrl=%ZZ" },
      { method: "GET", path: "/signin?callbackUrl=https://evil.example" },
      { method: "POST", path: "/", data: "x", headers: { "next-action": "forged" } },
    ];
    for (const probe of probes) {
      const response = await request.fetch(probe.path, {
        method: probe.method,
        data: probe.data,
        headers: { "x-forwarded-for": uniqueIp(), ...probe.headers },
        maxRedirects: 0,
      });
      expect(response.status(), `${probe.method} ${probe.path}`).toBeLessThan(500);
      if (probe.path.startsWith("/api/cron")) expect(response.status()).toBe(401);
    }
  });

  test("JSON sign-up: 201, then 409 for the same email", async ({ request }) => {
    const email = uniqueEmail("api");
    const first = await request.post("/api/account/signup", {
      data: { email, password: "api-password-1" },
    });
    expect(first.status()).toBe(201);
    const second = await request.post("/api/account/signup", {
      data: { email, password: "api-password-2" },
    });
    expect(second.status()).toBe(409);
    expect(await second.json()).toMatchObject({
      error: { code: "conflict", fields: { email: ["email.taken"] } },
    });
  });
});
