import path from "node:path";
import { expect, test } from "./fixtures";
import { SANDBOX_ADMIN, signIn, signUp, uniqueEmail, uniqueIp, zh } from "./helpers";
import { removeDataDir, send, startShopServer, type ShopServer } from "./server-process";

const root = path.resolve(import.meta.dirname, "../..");

test.describe("accounts", () => {
  test("sign up, land on the account page signed in, sign out, sign in again", async ({ page }) => {
    const email = uniqueEmail("buyer");
    await signUp(page, email, "my-password-1");
    await expect(page.getByTestId("account-email")).toHaveText(email);
    await expect(page.getByText(zh.account.roles.buyer)).toBeVisible();

    await page.getByTestId("account-menu").locator("summary").click();
    await expect(page.getByRole("link", { name: zh.nav.admin })).toHaveCount(0);
    await page.getByRole("button", { name: zh.nav.signOut }).click();
    await expect(page.getByRole("link", { name: zh.nav.signIn })).toBeVisible();

    await signIn(page, email.toUpperCase(), "my-password-1");
    await expect(page).toHaveURL(/\/account$/);
    await expect(page.getByTestId("account-email")).toHaveText(email);
  });

  test("malformed sign-up data gets field errors; a duplicate email a clear message", async ({
    page,
  }) => {
    await page.goto("/signup");
    await page.getByLabel(zh.auth.email).fill("not-an-email");
    await page.getByLabel(zh.auth.password).fill("short");
    await page.getByRole("button", { name: zh.auth.signUp.submit }).click();
    await expect(page.getByText(zh.fieldErrors.email.invalid)).toBeVisible();
    await expect(page.getByText(zh.fieldErrors.password.too_short)).toBeVisible();
    await expect(page.getByLabel(zh.auth.email)).toHaveValue("not-an-email");

    const email = uniqueEmail("dup");
    await page.context().clearCookies();
    await signUp(page, email);
    await page.context().clearCookies();
    await page.goto("/signup");
    await page.getByLabel(zh.auth.email).fill(email);
    await page.getByLabel(zh.auth.password).fill("another-password");
    await page.getByRole("button", { name: zh.auth.signUp.submit }).click();
    await expect(page.getByText(zh.fieldErrors.email.taken)).toBeVisible();
    await expect(page).toHaveURL(/\/signup/);
  });

  test("a wrong password is refused, and repeated failures are throttled", async ({ browser }) => {
    const context = await browser.newContext({
      extraHTTPHeaders: { "x-forwarded-for": uniqueIp() },
    });
    const page = await context.newPage();
    const email = uniqueEmail("throttle");
    await signUp(page, email, "right-password");
    await context.clearCookies();

    await signIn(page, email, "wrong-password");
    await expect(page.getByText(zh.auth.errors.invalid)).toBeVisible();
    for (let i = 0; i < 4; i++) {
      await page.getByLabel(zh.auth.password).fill("wrong-password");
      await page.getByRole("button", { name: zh.auth.signIn.submit }).click();
      await expect(page.getByRole("button", { name: zh.auth.signIn.submit })).toBeEnabled();
    }
    await signIn(page, email, "right-password");
    await expect(page.getByText(zh.auth.errors.rate_limited)).toBeVisible();
    await expect(page).toHaveURL(/\/signin/);
    await context.close();
  });

  test("the account page needs a signed-in user and comes back after sign-in", async ({ page }) => {
    await page.goto("/account");
    await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Faccount$/);
  });
});

const PRODUCT = "/products/side-hustle-handbook";

test.describe("where sign-in and sign-up lead", () => {
  test("the owner lands in the admin area, and the header shows 后台 to the owner only", async ({
    browser,
  }) => {
    // Three loads of the admin dashboard (its aggregates) and a sign-up: past 30 s on a loaded
    // CI runner once.
    test.setTimeout(90_000);
    const owner = await browser.newContext({
      extraHTTPHeaders: { "x-forwarded-for": uniqueIp() },
    });
    const page = await owner.newPage();
    await signIn(page, SANDBOX_ADMIN.email, SANDBOX_ADMIN.password);
    await expect(page).toHaveURL(/\/admin$/);
    const adminLink = page.getByTestId("site-header").getByRole("link", { name: zh.nav.admin });
    await expect(adminLink).toBeVisible();
    await expect(adminLink).toHaveText(zh.nav.admin);
    // Signed in already: /signin goes on to the landing page, or to the callbackUrl.
    await page.goto("/signin");
    await expect(page).toHaveURL(/\/admin$/);
    await page.goto(`/signin?callbackUrl=${encodeURIComponent(PRODUCT)}`);
    await expect(page).toHaveURL(new RegExp(`${PRODUCT}$`));
    await adminLink.click();
    await expect(page).toHaveURL(/\/admin$/);
    await owner.close();

    const buyerPage = await browser.newPage();
    await signUp(buyerPage, uniqueEmail("no-admin-link"));
    await expect(buyerPage.getByTestId("site-header")).toBeVisible();
    await expect(buyerPage.getByTestId("header-admin")).toHaveCount(0);
    await expect(
      buyerPage.getByTestId("site-header").getByRole("link", { name: zh.nav.admin }),
    ).toHaveCount(0);
    await buyerPage.goto("/signin");
    await expect(buyerPage).toHaveURL(/\/account$/);
    await buyerPage.close();
  });

  test("sign-in from a product page comes back to it", async ({ page }) => {
    const email = uniqueEmail("return-signin");
    await signUp(page, email, "my-password-1");
    await page.context().clearCookies();

    await page.goto(PRODUCT);
    await page
      .getByTestId("site-header")
      .getByRole("link", { name: zh.nav.signIn, exact: true })
      .click();
    await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fproducts%2Fside-hustle-handbook$/);
    await page.getByLabel(zh.auth.email).fill(email);
    await page.getByLabel(zh.auth.password).fill("my-password-1");
    await page.getByRole("button", { name: zh.auth.signIn.submit }).click();
    await expect(page).toHaveURL(new RegExp(`${PRODUCT}$`));
    await expect(page.getByTestId("account-menu")).toBeVisible();
  });

  test("sign-up from a product page comes back to it, directly or by way of sign-in", async ({
    page,
  }) => {
    // Directly: the header's sign-up link.
    await page.goto(PRODUCT);
    await page
      .getByTestId("site-header")
      .getByRole("link", { name: zh.nav.signUp, exact: true })
      .click();
    await expect(page).toHaveURL(/\/signup\?callbackUrl=%2Fproducts%2Fside-hustle-handbook$/);
    await page.getByLabel(zh.auth.email).fill(uniqueEmail("return-signup"));
    await page.getByLabel(zh.auth.password).fill("my-password-1");
    await page.getByRole("button", { name: zh.auth.signUp.submit }).click();
    await expect(page).toHaveURL(new RegExp(`${PRODUCT}$`));
    await expect(page.getByTestId("account-menu")).toBeVisible();
    await page.context().clearCookies();

    // By way of sign-in: the product's "sign in to buy", then "sign up" on the sign-in page.
    await page.goto(PRODUCT);
    await page.getByRole("link", { name: zh.product.signInToBuy }).click();
    await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fproducts%2Fside-hustle-handbook$/);
    await page.getByRole("link", { name: zh.auth.signIn.signUpLink }).click();
    await expect(page).toHaveURL(/\/signup\?callbackUrl=%2Fproducts%2Fside-hustle-handbook$/);
    // The header's sign-in link on the sign-up page keeps the same way back.
    await expect(
      page.getByTestId("site-header").getByRole("link", { name: zh.nav.signIn, exact: true }),
    ).toHaveAttribute("href", "/signin?callbackUrl=%2Fproducts%2Fside-hustle-handbook");
    await page.getByLabel(zh.auth.email).fill(uniqueEmail("return-via-signin"));
    await page.getByLabel(zh.auth.password).fill("my-password-1");
    await page.getByRole("button", { name: zh.auth.signUp.submit }).click();
    await expect(page).toHaveURL(new RegExp(`${PRODUCT}$`));
  });

  test("an unsafe callbackUrl is ignored: the buyer lands on the account page", async ({
    page,
  }) => {
    const email = uniqueEmail("unsafe-callback");
    await signUp(page, email, "my-password-1");
    await page.context().clearCookies();
    await signIn(page, email, "my-password-1", "/signin?callbackUrl=%2F%2Fevil.example%2Fx");
    await expect(page).toHaveURL(/\/account$/);
  });
});

test.describe("the server log", () => {
  const dir = path.join(root, `.data/e2e-authlog-${process.pid}`);
  let server: ShopServer | undefined;

  test.beforeAll(async () => {
    test.setTimeout(180_000);
    removeDataDir(dir);
    server = await startShopServer({ PGLITE_DIR: dir, DATABASE_URL: "", LOG_LEVEL: "info" });
  });
  test.afterAll(async () => {
    await server?.stop();
    removeDataDir(dir);
  });

  test("a wrong password is one info line, with no stack trace and no [auth][error]", async ({
    page,
  }) => {
    if (!server) throw new Error("the second server did not start");
    const shop = server.baseUrl;
    const email = uniqueEmail("log");
    const created = await send(shop, "/api/account/signup", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password: "right-password" }),
    });
    expect(created.status).toBe(201);

    await page.goto(`${shop}/signin`);
    await page.getByLabel(zh.auth.email).fill(email);
    await page.getByLabel(zh.auth.password).fill("wrong-password");
    await page.getByRole("button", { name: zh.auth.signIn.submit }).click();
    await expect(page.getByText(zh.auth.errors.invalid)).toBeVisible();

    const refused = () =>
      (server?.output() ?? "")
        .split("\n")
        .filter((line) => line.includes('"msg":"sign-in refused"'));
    await expect.poll(() => refused().length).toBe(1);
    const line = JSON.parse(refused()[0] ?? "{}") as Record<string, unknown>;
    expect(line).toMatchObject({ level: 30, module: "auth", authError: "CredentialsSignin" });
    expect(line).not.toHaveProperty("err");
    const output = server?.output() ?? "";
    expect(output).not.toContain("[auth][error]");
    expect(output).not.toMatch(/\n\s+at \S/);
    expect(output).not.toMatch(/"stack"/);
  });
});
