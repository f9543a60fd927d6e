import { expect, test } from "./fixtures";
import { signIn, signUp, uniqueEmail, uniqueIp, zh } from "./helpers";

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
