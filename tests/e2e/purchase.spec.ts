import { expect, test, type Page } from "./fixtures";
import { SANDBOX_ADMIN, signIn, signUp, uniqueEmail, zh } from "./helpers";

async function startCheckout(page: Page, slug: string) {
  await page.goto(`/products/${slug}`);
  await page.getByRole("button", { name: zh.product.buy }).click();
  await expect(page).toHaveURL(/\/checkout\/XP\d{8}[0-9A-Z]{10}$/);
  await expect(page.getByTestId("checkout-qr")).toBeVisible();
  const payUrl = await page.getByTestId("pay-open").getAttribute("href");
  expect(payUrl).toMatch(/\/sandbox\/youzan\/pay\?qr_id=\d+/);
  return payUrl!;
}

test.describe("one-off purchase with a Youzan QR code (sandbox)", () => {
  test("buy an e-book, pay on the scan & pay page, see paid and the content within 5 s", async ({
    page,
    context,
  }) => {
    // A buyer and the owner, two pages and four screenshots: past 30 s on a loaded runner.
    test.setTimeout(90_000);
    await page.setViewportSize({ width: 375, height: 812 });
    await signUp(page, uniqueEmail("reader"));
    const payUrl = await startCheckout(page, "side-hustle-handbook");
    await expect(page.getByTestId("checkout-amount")).toHaveText("¥9.90");
    await page.screenshot({ path: "test-results/screenshots/checkout-phone.png", fullPage: true });

    // The buyer's phone: the page the QR code leads to.
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 375, height: 812 });
    await phone.goto(payUrl);
    await expect(phone.getByText("¥9.90")).toBeVisible();
    await phone.screenshot({
      path: "test-results/screenshots/sandbox-pay-phone.png",
      fullPage: true,
    });
    await phone.getByTestId("pay-submit").click();
    await expect(phone.getByTestId("pay-paid")).toBeVisible();
    // The checkout turns to paid within 5 s (it polls every 2 s): the timeout is the assertion.
    await expect(page.getByTestId("checkout-heading")).toHaveText(zh.checkout.states.paid.heading, {
      timeout: 5_000,
    });
    await expect(page.getByTestId("open-library")).toHaveAttribute("href", "/account/library");
    await page.screenshot({
      path: "test-results/screenshots/checkout-paid-phone.png",
      fullPage: true,
    });

    await page.goto("/account/orders");
    await expect(page.getByTestId("order-row")).toHaveCount(1);
    await expect(page.getByTestId("order-status")).toHaveText(zh.orderStatus.paid);
    await expect(page.getByTestId("purchased-content")).toBeVisible();
    await page.screenshot({ path: "test-results/screenshots/orders-phone.png", fullPage: true });
    const orderNo = (await page.getByTestId("order-row").locator(".font-mono").textContent())!;
    await page.goto("/products/side-hustle-handbook");
    await expect(page.getByTestId("already-owned")).toBeVisible();
    await expect(page.getByRole("button", { name: zh.product.buy })).toHaveCount(0);

    // The shop owner sees the order and the push that settled it.
    const owner = await context.browser()!.newContext();
    const admin = await owner.newPage();
    await signIn(
      admin,
      SANDBOX_ADMIN.email,
      SANDBOX_ADMIN.password,
      "/signin?callbackUrl=/admin/orders?status=paid",
    );
    const orderRow = admin
      .getByTestId("orders-table")
      .getByTestId("admin-row")
      .filter({ hasText: orderNo });
    await expect(orderRow.locator('[data-code="paid"]')).toBeVisible();
    await admin.goto("/admin/webhooks?status=processed");
    await expect(
      admin
        .getByTestId("inbox-list")
        .getByTestId("admin-row")
        .filter({ has: admin.locator('[data-code="settled"]') })
        .first(),
    ).toBeVisible();
    await admin.setViewportSize({ width: 375, height: 812 });
    await admin.screenshot({
      path: "test-results/screenshots/admin-webhooks-phone.png",
      fullPage: true,
    });
    await owner.close();
  });

  test("clicking buy twice reuses the open order instead of a second QR", async ({ page }) => {
    await signUp(page, uniqueEmail("twice"));
    await startCheckout(page, "credits-10");
    const first = page.url();
    await startCheckout(page, "credits-10");
    expect(page.url()).toBe(first);
  });

  test("anonymous visitors are asked to sign in before buying", async ({ page }) => {
    await page.goto("/products/writing-that-sells");
    await page.getByRole("link", { name: zh.product.signInToBuy }).click();
    await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fproducts%2Fwriting-that-sells$/);
  });

  test("someone else's checkout is a 404", async ({ page, browser }) => {
    await signUp(page, uniqueEmail("owner"));
    await startCheckout(page, "writing-that-sells");
    const checkout = page.url();
    const other = await browser.newContext();
    const stranger = await other.newPage();
    await signUp(stranger, uniqueEmail("stranger"));
    const response = await stranger.goto(checkout);
    expect(response?.status()).toBe(404);
    const status = await stranger.request.get(
      `${checkout.replace("/checkout/", "/api/orders/")}/status`,
    );
    expect(status.status()).toBe(404);
    await other.close();
  });
});
