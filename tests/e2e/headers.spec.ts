import { expect, test, type Page } from "./fixtures";
import { signUp, uniqueEmail, uniqueIp, zh } from "./helpers";

/*
 * Issue #7, items 6 and 9: the security headers on every answer, a Content-Security-Policy that
 * blocks nothing the shop itself needs, and the inputs that used to answer 500.
 */

function expectSecurityHeaders(headers: Record<string, string>, what: string) {
  const csp = headers["content-security-policy"] ?? "";
  expect(csp, what).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
  expect(csp, what).toContain("frame-ancestors 'none'");
  expect(csp, what).toContain("img-src 'self' data:");
  expect(csp, what).not.toContain("unsafe-eval"); // a production build
  expect(headers["x-content-type-options"], what).toBe("nosniff");
  expect(headers["referrer-policy"], what).toBe("strict-origin-when-cross-origin");
  expect(headers["permissions-policy"], what).toContain("camera=()");
  expect(headers["permissions-policy"], what).toContain("payment=()");
  // The e2e server runs in sandbox mode, over http: no HSTS.
  expect(headers["strict-transport-security"], what).toBeUndefined();
}

/** Collects what the browser reports as blocked by the CSP, from the console and the DOM. */
async function watchCsp(page: Page) {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      console.error(
        `Content Security Policy violation: ${event.violatedDirective} ${event.blockedURI}`,
      );
    });
  });
  return violations;
}

test.describe("security headers", () => {
  test("pages, API routes, the sandbox and refused URLs carry the headers", async ({ request }) => {
    const nonces = new Set<string>();
    for (const path of [
      "/",
      "/products/side-hustle-handbook",
      "/signin",
      "/products/no-such-thing", // 404 page
      "/api/health",
      "/api/auth/session",
      "/api/auth/csrf",
      "/api/orders/NOPE/status",
      "/sandbox/youzan/pay?qr_id=1",
      "/products/%ZZ", // refused by proxy.ts
    ]) {
      const response = await request.get(path, { maxRedirects: 0 });
      expect(response.status(), path).toBeLessThan(500);
      const headers = response.headers();
      expectSecurityHeaders(headers, path);
      nonces.add(/'nonce-([^']+)'/.exec(headers["content-security-policy"]!)![1]!);
    }
    expect(nonces.size).toBe(10); // a new nonce per request
    const post = await request.post("/api/orders", { data: {}, maxRedirects: 0 });
    expectSecurityHeaders(post.headers(), "POST /api/orders");
  });

  test("Next's scripts carry the request's nonce", async ({ request }) => {
    const response = await request.get("/");
    const nonce = /'nonce-([^']+)'/.exec(response.headers()["content-security-policy"]!)![1]!;
    const html = await response.text();
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
  });

  test("browsing the catalogue, a product, sign-in and checkout reports no CSP violation", async ({
    page,
  }) => {
    const violations = await watchCsp(page);
    await page.goto("/");
    await expect(page.getByTestId("product-card").first()).toBeVisible();
    // Next's runtime ran: its scripts were allowed.
    await page.waitForFunction(() => "next" in window);
    await page.getByRole("link", { name: "季度会员" }).click();
    await expect(page).toHaveURL(/\/products\/membership-quarterly$/);
    await page.goto("/signin");
    await page.waitForFunction(() => "next" in window);
    await signUp(page, uniqueEmail("csp"));
    await page.goto("/products/side-hustle-handbook");
    await page.getByRole("button", { name: zh.product.buy }).click();
    await expect(page).toHaveURL(/\/checkout\/XP\d{8}[0-9A-Z]{10}$/);
    await expect(page.getByTestId("checkout-qr")).toBeVisible();
    // The QR code is a data: image and it loaded.
    const qr = page.getByTestId("checkout-qr");
    await expect(qr).toHaveAttribute("src", /^data:image\//);
    await expect
      .poll(() => qr.evaluate((img: HTMLImageElement) => img.naturalWidth))
      .toBeGreaterThan(0);
    await page.waitForFunction(() => "next" in window);
    expect(violations).toEqual([]);
  });
});

test.describe("inputs that used to answer 500", () => {
  test("callbackUrl=a on every /api/auth route, in query, form and cookie, is never a 500", async ({
    request,
  }) => {
    const ip = uniqueIp();
    const { csrfToken } = (await (await request.get("/api/auth/csrf")).json()) as {
      csrfToken: string;
    };
    const cookie = { cookie: "authjs.callback-url=a" };
    const form = (extra: Record<string, string>) =>
      new URLSearchParams({ csrfToken, callbackUrl: "a", ...extra }).toString();
    const probes: [string, string, string?][] = [
      ["GET", "/api/auth/csrf?callbackUrl=a"],
      ["GET", "/api/auth/session?callbackUrl=a"],
      ["GET", "/api/auth/providers?callbackUrl=a"],
      ["GET", "/api/auth/signin?callbackUrl=a"],
      ["GET", "/api/auth/signout?callbackUrl=a"],
      ["GET", "/api/auth/callback/credentials?callbackUrl=a"],
      ["GET", "/api/auth/error?callbackUrl=a"],
      ["POST", "/api/auth/signin/credentials?callbackUrl=a", form({})],
      ["POST", "/api/auth/signout?callbackUrl=a", form({})],
      [
        "POST",
        "/api/auth/callback/credentials?callbackUrl=a",
        form({ email: "nobody@example.com", password: "wrong-password" }),
      ],
      ["POST", "/api/auth/session?callbackUrl=a", form({})],
    ];
    for (const [method, path, data] of probes) {
      for (const headers of [{}, cookie]) {
        const response = await request.fetch(path, {
          method,
          data,
          headers: {
            "x-forwarded-for": ip,
            ...(data ? { "content-type": "application/x-www-form-urlencoded" } : {}),
            ...headers,
          },
          maxRedirects: 0,
        });
        expect(response.status(), `${method} ${path} ${JSON.stringify(headers)}`).toBeLessThan(500);
      }
    }
    // A good callback still works.
    const good = await request.get("/api/auth/signin?callbackUrl=%2Faccount", { maxRedirects: 0 });
    expect(good.status()).toBeLessThan(500);
  });

  test("the buy action with a CJK or CR/LF slug answers the generic error, not a 500", async ({
    page,
    context,
  }) => {
    test.setTimeout(60_000); // a sign-up and three purchases through the buy action
    await signUp(page, uniqueEmail("slug"));
    for (const slug of ["电子书", "side-hustle\r\nSet-Cookie: x=1", "A".repeat(100)]) {
      await page.goto("/products/side-hustle-handbook");
      await page.waitForFunction(() => "next" in window);
      // The session ends while the page is open: the action answers "sign in first", which is
      // where the slug went into the redirect unencoded.
      await context.clearCookies();
      const serverErrors: number[] = [];
      page.on("response", (r) => {
        if (r.status() >= 500) serverErrors.push(r.status());
      });
      await page
        .locator('input[name="productSlug"]')
        .evaluate((input: HTMLInputElement, value) => (input.value = value), slug);
      await page.getByRole("button", { name: zh.product.buy }).click();
      await expect(page.getByText(zh.product.buyError.generic)).toBeVisible();
      expect(serverErrors, slug).toEqual([]);
      await signUp(page, uniqueEmail("slug"));
    }
  });

  test("the buy action after the session ended sends to sign-in with an encoded callback", async ({
    page,
    context,
  }) => {
    await signUp(page, uniqueEmail("expired"));
    await page.goto("/products/side-hustle-handbook");
    await page.waitForFunction(() => "next" in window);
    await context.clearCookies();
    await page.getByRole("button", { name: zh.product.buy }).click();
    await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fproducts%2Fside-hustle-handbook$/);
  });
});
