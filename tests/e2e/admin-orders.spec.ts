import { expect, test, type Browser, type Page } from "./fixtures";
import codesZh from "../../messages/admin-codes.zh-CN.json" with { type: "json" };
import ordersZh from "../../messages/admin-orders.zh-CN.json" with { type: "json" };
import sandboxZh from "../../messages/sandbox.zh-CN.json" with { type: "json" };
import { SANDBOX_ADMIN, signIn, signUp, uniqueEmail, zh } from "./helpers";

/*
 * The owner's orders (issue #11): a buyer subscribes to the weekly plan (the sandbox signs and
 * Alipay charges period 1); the admin finds the order by filtering and searching the list,
 * opens it, refunds it in full through Alipay (confirmation with the amount), and sees the
 * result: the order and its trade refunded, the membership grant taken back, the refund row and
 * the audit rows. Screenshots of the list and the order at desktop and phone widths.
 */

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const shots = "test-results/screenshots";
const t = ordersZh.admin;

/** A buyer's paid first period of the weekly membership; returns the buyer's email and order. */
async function paidMembership(browser: Browser): Promise<{ email: string; orderNo: string }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const email = uniqueEmail("refundee");
  await signUp(page, email);
  await page.goto("/products/membership-weekly");
  await page.getByTestId("subscribe").click();
  await expect(page).toHaveURL(/\/checkout\/XP\d{8}[0-9A-Z]{10}$/);
  const orderNo = page.url().split("/").at(-1)!;
  const signUrl = await page.getByTestId("pay-open").getAttribute("href");
  const alipay = await context.newPage();
  await alipay.goto(signUrl!);
  await alipay.getByRole("button", { name: sandboxZh.sandbox.alipay.sign.sign }).click();
  await expect(alipay.getByTestId("sign-done")).toBeVisible();
  await expect(page.getByTestId("checkout-heading")).toHaveText(
    zh.checkout.states.subscribed.heading,
    { timeout: 15_000 },
  );
  await context.close();
  return { email, orderNo };
}

async function signInAdmin(page: Page) {
  await signIn(
    page,
    SANDBOX_ADMIN.email,
    SANDBOX_ADMIN.password,
    "/signin?callbackUrl=/admin/orders",
  );
  await page.waitForURL((url) => url.pathname === "/admin/orders");
}

test.describe("admin orders", () => {
  test("filter and search the list, open an Alipay order, refund it, see the result and the audit rows", async ({
    page,
    browser,
  }) => {
    test.setTimeout(90_000);
    const { email, orderNo } = await paidMembership(browser);

    await page.setViewportSize(DESKTOP);
    await signInAdmin(page);
    await expect(page.getByRole("heading", { name: zh.admin.orders.title })).toBeVisible();

    // The dashboard's kind of link: channel and status in the URL, rendered on the server.
    await page.goto("/admin/orders?channel=alipay_first&status=paid");
    await expect(page.locator("#orders-channel")).toHaveValue("alipay_first");
    await expect(page.locator("#orders-status")).toHaveValue("paid");
    const table = page.getByTestId("orders-table");
    await expect(table.getByRole("link", { name: orderNo })).toBeVisible();
    // Every row shown is a paid Alipay first payment.
    const rows = table.getByTestId("admin-row");
    const count = await rows.count();
    expect(count).toBeGreaterThan(0);
    for (let i = 0; i < count; i++) {
      await expect(rows.nth(i).locator('[data-code="paid"]')).toHaveCount(1);
      await expect(rows.nth(i).locator('[data-code="alipay_first"]')).toHaveCount(1);
    }

    // A filter that excludes it: the order is not listed.
    await page.locator("#orders-channel").selectOption("youzan");
    await expect(page).toHaveURL(/channel=youzan/);
    await expect(page.getByRole("link", { name: orderNo })).toHaveCount(0);

    // Search by the buyer's email (its beginning), all channels.
    await page.getByRole("button", { name: t.orders.filters.reset }).click();
    await page.locator("#orders-q").fill(email.slice(0, 14));
    await page.getByTestId("orders-apply").click();
    await expect(page).toHaveURL(new RegExp(`q=${encodeURIComponent(email.slice(0, 14))}`));
    await expect(table.getByRole("link", { name: orderNo })).toBeVisible();
    await expect(table.getByTestId("admin-row")).toHaveCount(1);
    await page.screenshot({ path: `${shots}/admin-orders-list-desktop.png`, fullPage: true });

    // Search by the order number itself, then open it.
    await page.locator("#orders-q").fill(orderNo);
    await page.getByTestId("orders-apply").click();
    await expect(table.getByTestId("admin-row")).toHaveCount(1);
    await table.getByRole("link", { name: orderNo }).click();
    await expect(page).toHaveURL(new RegExp(`/admin/orders/${orderNo}$`));
    await expect(page.getByTestId("order-status").locator('[data-code="paid"]')).toBeVisible();
    await expect(page.getByTestId("order-buyer")).toHaveText(email);
    await expect(page.getByTestId("order-buyer")).toHaveAttribute("href", /^\/admin\/users\/usr_/);
    await expect(page.getByTestId("order-agreement")).toHaveAttribute(
      "href",
      /^\/admin\/subscriptions\/agr_/,
    );
    await expect(page.getByTestId("order-payment")).toContainText("¥9.90");
    await expect(page.getByTestId("order-grant-state")).toHaveText(t.orders.detail.grant.live);
    await page.screenshot({ path: `${shots}/admin-order-detail-desktop.png`, fullPage: true });

    // Refund in full: the confirmation shows the amount.
    const refund = page.getByTestId("order-action-refund");
    await expect(refund.getByTestId("order-refund-amount")).toHaveValue("9.90");
    await refund.getByTestId("order-refund-open").click();
    const confirm = refund.getByTestId("order-action-confirm");
    await expect(confirm).toContainText(
      t.orders.actions.refund.confirm.replace("{amount}", "¥9.90"),
    );
    await confirm.getByTestId("order-action-submit").click();
    await expect(page.getByTestId("order-action-result")).toHaveText(
      t.orders.actions.refund.succeeded.replace("{amount}", "¥9.90"),
    );

    // The page shows the result: refunded, the grant taken back, the refund and audit rows.
    await expect(page.getByTestId("order-status").locator('[data-code="refunded"]')).toBeVisible();
    await expect(page.getByTestId("order-refunded")).toHaveText("¥9.90");
    await expect(page.getByTestId("order-payment").locator('[data-code="refunded"]')).toBeVisible();
    await expect(page.getByTestId("order-grant-state")).toContainText(
      t.orders.detail.grant.revoked.split("{at}")[0]!.trim(),
    );
    const refundRow = page.getByTestId("order-refund");
    await expect(refundRow).toHaveCount(1);
    await expect(refundRow.locator('[data-code="succeeded"]')).toBeVisible();
    await expect(refundRow).toContainText(`${orderNo}RF1`);
    const audit = page.getByTestId("order-audit");
    await expect(audit.locator('[data-code="order.refund"]')).toBeVisible();
    await expect(audit.locator('[data-code="order.refund_requested"]')).toBeVisible();
    await expect(audit.getByTestId("order-audit-row").first()).toContainText(SANDBOX_ADMIN.email);
    await expect(
      audit.getByText(codesZh.admin.codes.auditAction.order_refund, { exact: true }),
    ).toBeVisible();
    // Nothing is left to refund: the refund form is gone.
    await expect(page.getByTestId("order-action-refund")).toHaveCount(0);
    await page.screenshot({ path: `${shots}/admin-order-refunded-desktop.png`, fullPage: true });

    // The list shows it refunded; at phone width the rows are cards.
    await page.setViewportSize(PHONE);
    await page.goto(`/admin/orders?status=refunded&q=${orderNo}`);
    const card = page.getByTestId("admin-card");
    await expect(card).toHaveCount(1);
    await expect(card).toContainText(orderNo);
    await expect(card.locator('[data-code="refunded"]')).toBeVisible();
    await page.screenshot({ path: `${shots}/admin-orders-list-phone.png`, fullPage: true });
    await card.getByRole("link", { name: orderNo }).click();
    await expect(page.getByTestId("order-refund")).toHaveCount(1);
    await page.screenshot({ path: `${shots}/admin-order-detail-phone.png`, fullPage: true });
  });

  test("on a phone: mark a paid Youzan QR order refunded by hand, with a note", async ({
    page,
    browser,
  }) => {
    test.setTimeout(60_000);
    // A buyer pays an e-book on the Youzan sandbox's scan & pay page.
    const buyer = await browser.newContext();
    const shop = await buyer.newPage();
    await signUp(shop, uniqueEmail("qr-refund"));
    await shop.goto("/products/writing-that-sells");
    await shop.getByRole("button", { name: zh.product.buy }).click();
    await expect(shop).toHaveURL(/\/checkout\/XP\d{8}[0-9A-Z]{10}$/);
    const orderNo = shop.url().split("/").at(-1)!;
    const payUrl = await shop.getByTestId("pay-open").getAttribute("href");
    const phone = await buyer.newPage();
    await phone.goto(payUrl!);
    await phone.getByTestId("pay-submit").click();
    await expect(phone.getByTestId("pay-paid")).toBeVisible();
    await expect(shop.getByTestId("checkout-heading")).toHaveText(zh.checkout.states.paid.heading, {
      timeout: 15_000,
    });
    await buyer.close();

    await page.setViewportSize(PHONE);
    await signInAdmin(page);
    await page.goto(`/admin/orders?channel=youzan&q=${orderNo}`);
    const card = page.getByTestId("admin-card");
    await expect(card).toHaveCount(1);
    await card.getByRole("link", { name: orderNo }).click();
    await expect(page.getByTestId("order-status").locator('[data-code="paid"]')).toBeVisible();
    // Youzan QR trades have no refund API: only "mark refunded", with a required note.
    await expect(page.getByTestId("order-action-refund")).toHaveCount(0);
    const mark = page.getByTestId("order-action-markRefunded");
    await mark.getByRole("button", { name: t.orders.actions.markRefunded.button }).click();
    const confirm = mark.getByTestId("order-action-confirm");
    await expect(confirm).toContainText(
      t.orders.actions.markRefunded.confirm.replace("{amount}", "¥19.90"),
    );
    await expect(confirm.getByTestId("order-action-submit")).toBeDisabled();
    await mark.getByTestId("order-action-note").fill("已通过微信转账退回 ¥19.90");
    await page.screenshot({ path: `${shots}/admin-order-mark-refunded-phone.png`, fullPage: true });
    await confirm.getByTestId("order-action-submit").click();
    await expect(page.getByTestId("order-action-result")).toHaveText(
      t.orders.actions.markRefunded.done,
    );
    await expect(page.getByTestId("order-status").locator('[data-code="refunded"]')).toBeVisible();
    await expect(page.getByTestId("order-grant-state")).toContainText(
      t.orders.detail.grant.revoked.split("{at}")[0]!.trim(),
    );
    const refundRow = page.getByTestId("order-refund");
    await expect(refundRow.locator('[data-code="manual"]')).toBeVisible();
    await expect(refundRow).toContainText("已通过微信转账退回 ¥19.90");
    const audit = page.getByTestId("order-audit");
    await expect(audit.locator('[data-code="order.refund_recorded"]')).toBeVisible();
    await expect(audit.getByTestId("order-audit-row").first()).toContainText(SANDBOX_ADMIN.email);
    await page.screenshot({
      path: `${shots}/admin-order-marked-refunded-phone.png`,
      fullPage: true,
    });
  });

  test("an unknown order number is a 404", async ({ page }) => {
    await signInAdmin(page);
    const response = await page.goto("/admin/orders/XP20260101NOSUCHORDER");
    expect(response?.status()).toBe(404);
  });
});
