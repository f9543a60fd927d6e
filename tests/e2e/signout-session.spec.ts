import { expect, test } from "./fixtures";
import { signUp, uniqueEmail, zh } from "./helpers";

/*
 * Issue #7 item 5 end to end: JWT sessions cannot be revoked one by one, so sign-out bumps the
 * user's session version and the guards refuse a token carrying an older one.
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
