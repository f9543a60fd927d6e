import { mkdirSync } from "node:fs";
import type { Browser, Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { SANDBOX_ADMIN, signIn, signUp, uniqueEmail, uniqueIp, zh } from "./helpers";

/*
 * Issue #10 items 7–9 on a phone (390×844): the account page's ways on, display name and
 * password changes (every other session signed out, this one kept), and a header that holds a
 * long name and email on one row, cut with the whole text in the title and the opened menu.
 */

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
const SHOTS = "test-results/screenshots";
test.use(PHONE);

/** A phone of its own (cookies, client address) for the same buyer. */
async function phone(browser: Browser): Promise<Page> {
  const context = await browser.newContext({
    ...PHONE,
    extraHTTPHeaders: { "x-forwarded-for": uniqueIp() },
  });
  return context.newPage();
}

async function changePassword(page: Page, current: string, next: string, confirm = next) {
  const form = page.getByTestId("password-form");
  await form.getByLabel(zh.account.passwordForm.current).fill(current);
  await form.getByLabel(zh.account.passwordForm.new, { exact: true }).fill(next);
  await form.getByLabel(zh.account.passwordForm.confirm).fill(confirm);
  await form.getByRole("button", { name: zh.account.passwordForm.submit }).click();
}

test.describe("the account page", () => {
  test("links on to orders and membership", async ({ page }) => {
    await signUp(page, uniqueEmail("links"));
    const orders = page.getByRole("link", { name: zh.account.links.orders });
    const membership = page.getByRole("link", { name: zh.account.links.membership });
    await expect(orders).toHaveAttribute("href", "/account/orders");
    await expect(membership).toHaveAttribute("href", "/account/membership");
    await expect(page.getByRole("link", { name: zh.account.links.admin })).toHaveCount(0);
    await orders.click();
    await expect(page).toHaveURL(/\/account\/orders$/);
    await page.goBack();
    await page.getByRole("link", { name: zh.account.links.membership }).click();
    await expect(page).toHaveURL(/\/account\/membership$/);
  });

  test("changes the display name, shown in the header at once; bad names get a form error", async ({
    page,
  }) => {
    await signUp(page, uniqueEmail("rename"));
    const form = page.getByTestId("name-form");
    const field = form.getByLabel(zh.account.nameForm.label);
    await field.fill("  小明的店  ");
    await form.getByRole("button", { name: zh.account.nameForm.submit }).click();
    await expect(form.getByRole("status")).toHaveText(zh.account.nameForm.saved);
    await expect(page.getByTestId("account-name")).toHaveText("小明的店");
    await expect(page.getByTestId("account-menu-label")).toHaveText("小明的店");
    await page.reload();
    await expect(page.getByTestId("account-menu-label")).toHaveText("小明的店");

    // The field caps the length; a client that sends more gets the form error, not a crash.
    await field.evaluate((input) => input.removeAttribute("maxlength"));
    await field.fill("名".repeat(51));
    await form.getByRole("button", { name: zh.account.nameForm.submit }).click();
    await expect(form.getByText(zh.fieldErrors.name.too_long)).toBeVisible();
    await expect(page.getByTestId("account-name")).toHaveText("小明的店");
  });

  test("password change: the old password stops working, other sessions are signed out, this one stays", async ({
    browser,
  }) => {
    // Two sign-ups and sign-ins, five password checks: scrypt on a shared machine takes a while.
    test.setTimeout(90_000);
    const email = uniqueEmail("pw");
    const here = await phone(browser);
    const there = await phone(browser);
    await signUp(here, email, "old-password-1");
    await signIn(there, email, "old-password-1");
    await expect(there).toHaveURL(/\/account$/);

    // Wrong current password, and a confirmation that differs: form errors, nothing changes.
    await changePassword(here, "not-my-password", "new-password-1");
    await expect(here.getByText(zh.fieldErrors.password.wrong)).toBeVisible();
    await changePassword(here, "old-password-1", "new-password-1", "new-password-2");
    await expect(here.getByText(zh.fieldErrors.password.mismatch)).toBeVisible();
    await there.goto("/account/orders");
    await expect(there).toHaveURL(/\/account\/orders$/);
    await there.goto("/account");

    await changePassword(here, "old-password-1", "new-password-1");
    await expect(here).toHaveURL(/\/account\?password-changed=1#password$/);
    await expect(here.getByTestId("account-menu")).toBeVisible();
    await expect(here.getByTestId("password-form").getByRole("status")).toHaveText(
      zh.account.passwordForm.changed,
    );
    // What the phone shows: the page scrolled to the form and its success line.
    await expect(here.getByTestId("password-form").getByRole("status")).toBeInViewport();
    await here.screenshot({ path: `${SHOTS}/account-password-changed-390.png` });

    // This phone stays signed in, across navigations and reloads.
    await here.goto("/account/orders");
    await expect(here).toHaveURL(/\/account\/orders$/);
    await here.goto("/account");
    await expect(here.getByTestId("account-email")).toHaveText(email);

    // The other is signed out on its next navigation.
    await there.getByRole("link", { name: zh.account.links.orders }).click();
    await expect(there).toHaveURL(/\/signin\?callbackUrl=%2Faccount%2Forders$/);
    await there.goto("/");
    await expect(there.getByTestId("account-menu")).toHaveCount(0);

    // The old password no longer signs in; the new one does.
    await signIn(there, email, "old-password-1");
    await expect(there.getByText(zh.auth.errors.invalid)).toBeVisible();
    await signIn(there, email, "new-password-1");
    await expect(there).toHaveURL(/\/account$/);

    await here.context().close();
    await there.context().close();
  });
});

test.describe("the phone header", () => {
  test("a long name and email are cut to fit one row, in full in the title and the menu", async ({
    page,
  }) => {
    mkdirSync(SHOTS, { recursive: true });
    const name = "欧阳娜娜的数字商品小店铺和她的超长超长的昵称ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const email = uniqueEmail(`a-very-long-mailbox-name-for-testing-${"x".repeat(20)}`);
    await page.goto("/signup");
    await page.getByLabel(zh.auth.name).fill(name);
    await page.getByLabel(zh.auth.email).fill(email);
    await page.getByLabel(zh.auth.password).fill("my-password-1");
    await page.getByRole("button", { name: zh.auth.signUp.submit }).click();
    await expect(page).toHaveURL(/\/account$/);

    for (const path of ["/", "/account", "/products/side-hustle-handbook"]) {
      await page.goto(path);
      const header = page.getByTestId("site-header");
      const fits = await header.evaluate((el) => ({
        header: el.scrollWidth <= el.clientWidth,
        page: document.documentElement.scrollWidth <= document.documentElement.clientWidth,
      }));
      expect(fits, path).toEqual({ header: true, page: true });

      const label = page.getByTestId("account-menu-label");
      await expect(label).toHaveText(name);
      const cut = await label.evaluate((el) => el.scrollWidth > el.clientWidth);
      expect(cut, `${path}: the name is cut with an ellipsis`).toBe(true);
      const summary = page.getByTestId("account-menu").locator("summary");
      await expect(summary).toHaveAttribute("title", name);

      // One row: the brand, the menu and the language switch share a line.
      const brand = await header.getByRole("link", { name: zh.nav.brand }).boundingBox();
      const menu = await summary.boundingBox();
      expect(menu && menu.height, "a 44 px tap target").toBeGreaterThanOrEqual(44);
      expect(
        brand && menu && Math.abs(brand.y + brand.height / 2 - (menu.y + menu.height / 2)),
      ).toBeLessThan(4);
    }
    await page.goto("/");
    await page.getByTestId("site-header").screenshot({ path: `${SHOTS}/header-long-name-390.png` });
    await page.screenshot({ path: `${SHOTS}/home-long-name-390.png` });

    // The chevron says it opens; opened, the menu shows the whole name and email.
    await page.getByTestId("account-menu").locator("summary").click();
    const who = page.getByTestId("account-menu-who");
    await expect(who).toContainText(name);
    await expect(who).toContainText(email);
    const whoBox = await who.boundingBox();
    expect(whoBox && whoBox.x >= 0 && whoBox.x + whoBox.width <= 390).toBe(true);
    await page.screenshot({ path: `${SHOTS}/account-menu-open-390.png` });
    // Escape closes it.
    await page.keyboard.press("Escape");
    await expect(page.getByRole("link", { name: zh.nav.signOut })).toHaveCount(0);
    await expect(page.getByRole("button", { name: zh.nav.signOut })).toBeHidden();

    await page.goto("/account");
    await page.screenshot({ path: `${SHOTS}/account-page-390.png`, fullPage: true });
  });

  test("the owner's header holds 后台, the menu and the language switch on one row", async ({
    browser,
  }) => {
    const page = await phone(browser);
    await signIn(page, SANDBOX_ADMIN.email, SANDBOX_ADMIN.password);
    await expect(page).toHaveURL(/\/admin$/);
    await page.goto("/");
    const header = page.getByTestId("site-header");
    const admin = header.getByRole("link", { name: zh.nav.admin });
    await expect(admin).toBeVisible();
    const box = await admin.boundingBox();
    expect(box && box.height).toBeGreaterThanOrEqual(44);
    expect(await header.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    await header.screenshot({ path: `${SHOTS}/header-admin-390.png` });
    await page.context().close();
  });

  test("the menu closes after following one of its links", async ({ page }) => {
    await signUp(page, uniqueEmail("menu-close"));
    await page.getByTestId("account-menu").locator("summary").click();
    await page.getByTestId("account-menu").getByRole("link", { name: zh.nav.orders }).click();
    await expect(page).toHaveURL(/\/account\/orders$/);
    await expect(page.getByRole("button", { name: zh.nav.signOut })).toBeHidden();
  });
});
