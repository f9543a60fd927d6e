import { expect, test } from "./fixtures";
import { signUp, uniqueEmail, zh } from "./helpers";

/*
 * Issue #7 item 5 end to end: JWT sessions cannot be revoked one by one, so sign-out bumps the
 * user's session version and the guards refuse a token carrying an older one. A password change
 * (issue #10) bumps it too, and signs the changing session in again.
 */
test("a session cookie copied before sign-out gets 401 after it", async ({ page, browser }) => {
  await signUp(page, uniqueEmail("signout"), "my-password-1");
  const copied = (await page.context().cookies()).filter((c) => c.name.includes("session-token"));
  expect(copied.length).toBeGreaterThan(0);

  // The copy works while the owner is signed in: the route looks for the order (404), not 401.
  const thief = await browser.newContext();
  await thief.addCookies(copied);
  expect((await thief.request.get("/api/orders/XP-NONE/status")).status()).toBe(404);

  await page.getByTestId("account-menu").locator("summary").click();
  await page.getByRole("button", { name: zh.nav.signOut }).click();
  await expect(page.getByRole("link", { name: zh.nav.signIn })).toBeVisible();

  expect((await thief.request.get("/api/orders/XP-NONE/status")).status()).toBe(401);
  await thief.close();
});

test("a session cookie copied before a password change gets 401 after it; the changer's own stays", async ({
  page,
  browser,
}) => {
  await signUp(page, uniqueEmail("pwcopy"), "my-password-1");
  const copied = (await page.context().cookies()).filter((c) => c.name.includes("session-token"));
  const thief = await browser.newContext();
  await thief.addCookies(copied);
  expect((await thief.request.get("/api/orders/XP-NONE/status")).status()).toBe(404);

  const form = page.getByTestId("password-form");
  await form.getByLabel(zh.account.passwordForm.current).fill("my-password-1");
  await form.getByLabel(zh.account.passwordForm.new, { exact: true }).fill("my-password-2");
  await form.getByLabel(zh.account.passwordForm.confirm).fill("my-password-2");
  await form.getByRole("button", { name: zh.account.passwordForm.submit }).click();
  await expect(form.getByRole("status")).toHaveText(zh.account.passwordForm.changed);

  expect((await thief.request.get("/api/orders/XP-NONE/status")).status()).toBe(401);
  expect((await page.request.get("/api/orders/XP-NONE/status")).status()).toBe(404);
  await thief.close();
});
