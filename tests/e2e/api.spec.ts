import type { APIRequestContext, PlaywrightWorkerArgs } from "@playwright/test";
import { expect, test } from "./fixtures";
import { SANDBOX_ADMIN, uniqueEmail, uniqueIp } from "./helpers";

/** A client of its own (cookies, address), as curl would be. */
function apiClient(playwright: PlaywrightWorkerArgs["playwright"], baseURL: string | undefined) {
  return playwright.request.newContext({
    baseURL,
    extraHTTPHeaders: { "x-forwarded-for": uniqueIp() },
  });
}

/** next-auth's credentials flow as the owner: the CSRF token, then the callback (not followed). */
async function credentialsSignIn(api: APIRequestContext, password: string) {
  const { csrfToken } = (await (await api.get("/api/auth/csrf")).json()) as { csrfToken: string };
  expect(csrfToken).toMatch(/^[0-9a-f]{32,}$/);
  return api.post("/api/auth/callback/credentials", {
    form: { email: SANDBOX_ADMIN.email, password, csrfToken },
    maxRedirects: 0,
  });
}

test.describe("HTTP API", () => {
  test("sign-in with the standard next-auth flow, as curl does it", async ({
    playwright,
    baseURL,
  }) => {
    const api = await apiClient(playwright, baseURL);
    const callback = await credentialsSignIn(api, SANDBOX_ADMIN.password);
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

  test("the status poll's small answers leave the server uncompressed (no zlib stream per poll)", async ({
    playwright,
    baseURL,
  }) => {
    const api = await apiClient(playwright, baseURL);
    await credentialsSignIn(api, SANDBOX_ADMIN.password);
    const created = await api.post("/api/orders", {
      data: { productSlug: "side-hustle-handbook" },
    });
    expect(created.status()).toBe(201);
    const { orderNo } = (await created.json()) as { orderNo: string };
    const poll = await api.get(`/api/orders/${orderNo}/status`, {
      headers: { "accept-encoding": "gzip, deflate, br" },
    });
    expect(poll.status()).toBe(200);
    expect(poll.headers()["content-encoding"]).toBeUndefined();
    expect(((await poll.json()) as { status: string }).status).toBe("pending");
    // A page still is compressed: only the small JSON answers opt out.
    const page = await api.get("/", { headers: { "accept-encoding": "gzip" } });
    expect(page.headers()["content-encoding"]).toBe("gzip");
    await api.dispose();
  });

  test("a wrong password through the same flow gets no session", async ({
    playwright,
    baseURL,
  }) => {
    const api = await apiClient(playwright, baseURL);
    const callback = await credentialsSignIn(api, "wrong");
    expect(callback.status()).toBe(302);
    expect(callback.headers()["location"]).toContain("error=CredentialsSignin");
    expect(await (await api.get("/api/auth/session")).json()).toBeNull();
    await api.dispose();
  });

  test("no route answers 500 to malformed input", async ({ request }) => {
    type Probe = [
      method: string,
      path: string,
      data?: string,
      contentType?: string,
      extra?: Record<string, string>,
    ];
    const JSON_TYPE = "application/json";
    const FORM = "application/x-www-form-urlencoded";
    const probes: Probe[] = [
      ["POST", "/api/account/signup", "{broken", JSON_TYPE],
      ["POST", "/api/account/signup", "x".repeat(200_000), JSON_TYPE],
      ["POST", "/api/account/signup", '{"email":{"$gt":""},"password":null}', JSON_TYPE],
      ["POST", "/api/account/signup", "email=a", "text/plain"],
      ["GET", "/api/account/signup"],
      ["DELETE", "/api/health"],
      ["POST", "/api/auth/callback/credentials", "garbage=%%%", FORM],
      ["POST", "/api/auth/callback/credentials", "{}", JSON_TYPE],
      ["POST", "/api/auth/callback/nope", ""],
      ["GET", "/api/auth/nonsense"],
      ["POST", "/api/auth/signout", "csrfToken=forged", FORM],
      ["GET", "/api/does-not-exist"],
      ["POST", "/api/orders", "{}", JSON_TYPE],
      ["POST", "/api/orders", "{broken", JSON_TYPE],
      ["GET", "/api/orders/NOPE/status"],
      ["GET", "/api/orders/%00%FF/status"],
      ["POST", "/api/webhooks/youzan", "{broken", JSON_TYPE],
      ["POST", "/api/webhooks/youzan", '{"type":1,"msg":{"a":[]},"id":null}', JSON_TYPE],
      ["POST", "/api/webhooks/youzan", "x".repeat(300_000), JSON_TYPE],
      ["GET", "/api/webhooks/youzan"],
      ["GET", "/api/cron/orders/reconcile"],
      ["GET", "/api/cron/orders/reconcile", undefined, undefined, { authorization: "Bearer nope" }],
      ["POST", "/sandbox/youzan/auth/token", "client_id=x", FORM],
      ["POST", "/sandbox/youzan/api/youzan.trade.get/4.0.2?access_token=zzz", "{broken", JSON_TYPE],
      ["POST", "/sandbox/youzan/api/x", "{}", JSON_TYPE],
      ["POST", "/sandbox/youzan/control/pay", '{"qrId":"999999999"}', JSON_TYPE],
      ["POST", "/sandbox/youzan/control/pay", "[]", JSON_TYPE],
      ["POST", "/sandbox/youzan/control/faults", '{"slowMs":"soon"}', JSON_TYPE],
      ["POST", "/sandbox/control/clock", '{"advanceSeconds":-5}', JSON_TYPE],
      ["GET", "/sandbox/youzan/pay?qr_id=%27%3B--"],
      ["GET", "/checkout/NOPE"],
      ["GET", "/products/%ZZ"],
      ["GET", "/signin?callbackUrl=%ZZ"],
      ["GET", "/signin?callbackUrl=https://evil.example"],
      ["POST", "/", "x", undefined, { "next-action": "forged" }],
      // Not multipart, said to be: Next parses it as a no-JavaScript action form (a 500 before).
      ["POST", "/", "a=b", "multipart/form-data"],
      ["POST", "/products/nope", "a=b", "multipart/form-data; boundary=xyz"],
      ["POST", "/api/nothing/here", "a=b", "multipart/form-data"],
    ];
    for (const [method, path, data, contentType, extra] of probes) {
      const response = await request.fetch(path, {
        method,
        data,
        headers: {
          "x-forwarded-for": uniqueIp(),
          ...(contentType ? { "content-type": contentType } : {}),
          ...extra,
        },
        maxRedirects: 0,
      });
      expect(response.status(), `${method} ${path}`).toBeLessThan(500);
      if (path.startsWith("/api/cron")) expect(response.status()).toBe(401);
      if (path.startsWith("/api/") && response.status() >= 400) {
        expect(response.headers()["content-type"], `${method} ${path}`).toContain(
          "application/json",
        );
        const { error } = (await response.json()) as { error?: { code?: string } };
        expect(error?.code, `${method} ${path}`).toEqual(expect.any(String));
      }
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
