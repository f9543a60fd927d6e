import { expect, test, type APIRequestContext, type Page } from "./fixtures";
import codesZh from "../../messages/admin-codes.zh-CN.json" with { type: "json" };
import subsZh from "../../messages/admin-subscriptions.zh-CN.json" with { type: "json" };
import { SANDBOX_ADMIN, signIn, signUp, uniqueEmail, zh } from "./helpers";

/*
 * Issue #11, acceptance 2: a buyer's weekly renewal is declined (the sandbox buyer has no
 * money); the admin finds the failing subscription in the list, reads Alipay's answer in its
 * deduction log, the buyer tops up, the admin retries it now and sees the period paid. At a
 * desktop width and at a phone's, with screenshots.
 *
 * Moves the shared sandbox clock two days and sets the sandbox buyer's one balance: a clock
 * spec (playwright.config.ts), run after every other spec, one at a time.
 */

const PHONE = { width: 390, height: 844 };
const shots = "test-results/screenshots";
const subs = subsZh.admin.subscriptions;
const codes = codesZh.admin.codes;

async function control(request: APIRequestContext, path: string, data: unknown) {
  const response = await request.post(path, { data });
  expect(response.status(), path).toBe(200);
}

/** A new buyer subscribes to the weekly plan and signs on the sandbox; period 1 is paid. */
async function subscribedBuyer(page: Page): Promise<string> {
  const email = uniqueEmail("renewal");
  await signUp(page, email);
  await control(page.request, "/sandbox/alipay/control/balance", { fen: 100_000 });
  await page.goto("/products/membership-weekly");
  await page.getByTestId("subscribe").click();
  await expect(page).toHaveURL(/\/checkout\/XP\d{8}[0-9A-Z]{10}$/);
  const signUrl = await page.getByTestId("pay-open").getAttribute("href");
  expect(signUrl).toContain("method=alipay.user.agreement.page.sign");
  await control(page.request, "/sandbox/alipay/control/sign", { signUrl });
  await expect(page.getByTestId("checkout-heading")).toHaveText(
    zh.checkout.states.subscribed.heading,
    { timeout: 15_000 },
  );
  return email;
}

test.describe("admin subscriptions", () => {
  test("a declined renewal: found in the list, its log read, retried after a top-up, the period paid", async ({
    page,
    browser,
  }) => {
    const email = await subscribedBuyer(page);

    // The buyer's Alipay balance is empty when period 2 falls due (in 3 days: its window opens
    // in 2, and a weekly period is first tried NOTICE_REMIND_DAYS after it began).
    await control(page.request, "/sandbox/alipay/control/balance", { fen: 0 });
    await control(page.request, "/sandbox/control/clock", { advanceSeconds: 3 * 86_400 });

    const admin = await browser.newContext();
    const owner = await admin.newPage();
    await signIn(
      owner,
      SANDBOX_ADMIN.email,
      SANDBOX_ADMIN.password,
      "/signin?callbackUrl=/admin/billing",
    );
    await expect(owner.getByTestId("billing-sandbox-panel")).toBeVisible();
    await owner
      .getByTestId("billing-sandbox-panel")
      .getByRole("button", { name: zh.admin.billing.panel.phases.charge, exact: true })
      .click();
    await expect(owner.getByTestId("billing-result")).toHaveAttribute("data-phase", "charge");

    // The list: failing only, searched by the buyer's email.
    await owner
      .getByTestId("admin-shell")
      .getByRole("link", { name: zh.admin.nav.subscriptions })
      .click();
    await expect(owner).toHaveURL(/\/admin\/subscriptions$/);
    await owner.getByLabel(subs.filters.failing).check();
    await owner.getByLabel(subs.filters.q).fill(email);
    await owner.getByTestId("filter-apply").click();
    await expect(owner).toHaveURL(/failing=1/);
    const rows = owner.getByTestId("subscriptions").locator('[data-testid="admin-row"]');
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText(email);
    await expect(rows.first().getByTestId("last-attempt")).toContainText(
      codes.alipayCode.ACQ_BUYER_BALANCE_NOT_ENOUGH,
    );
    await owner.screenshot({ path: `${shots}/admin-subscriptions-failing.png`, fullPage: true });
    await rows.first().getByTestId("subscription-link").click();

    // The detail: period 2 declined, and Alipay's answer in the log.
    const detail = owner.getByTestId("subscription-detail");
    await expect(detail).toHaveAttribute("data-status", "active");
    const period2 = owner.locator('[data-testid="timeline-period"][data-period="2"]');
    await expect(period2).toHaveAttribute("data-order-status", "pending");
    await expect(period2.getByTestId("timeline-attempt")).toHaveAttribute("data-status", "failed");
    const declined = owner
      .locator(
        '[data-testid="deduction-log"][data-outcome="declined"][data-method="alipay.trade.pay"]',
      )
      .first();
    await expect(declined).toContainText(codes.alipayCode.ACQ_BUYER_BALANCE_NOT_ENOUGH);
    await expect(declined).toContainText(codes.alipayOutcome.declined);
    // The response is open for a failed call: Alipay's own words, sub_code and all.
    await expect(declined.getByTestId("log-response").locator("pre")).toContainText(
      '"sub_code": "ACQ.BUYER_BALANCE_NOT_ENOUGH"',
    );
    await owner.screenshot({ path: `${shots}/admin-subscription-declined.png`, fullPage: true });

    // The buyer tops up; the owner retries now.
    await control(page.request, "/sandbox/alipay/control/balance", { fen: 100_000 });
    await owner.getByTestId("action-retry").click();
    const result = owner.getByTestId("action-result");
    await expect(result).toHaveAttribute("data-outcome", "paid");
    await expect(result).toContainText(codes.subscriptionOutcome.paid);
    await expect(period2).toHaveAttribute("data-order-status", "paid");
    await expect(
      period2.locator('[data-testid="timeline-attempt"][data-status="succeeded"]'),
    ).toHaveCount(1);
    await expect(owner.getByTestId("fact-paidPeriods")).toContainText("2");
    await expect(
      owner.locator('[data-testid="audit-row"][data-action="subscription.retry"]'),
    ).toHaveCount(1);
    await owner.screenshot({ path: `${shots}/admin-subscription-paid.png`, fullPage: true });

    // On a phone: the list is cards, the detail fits the width.
    await owner.setViewportSize(PHONE);
    await owner.goto(`/admin/subscriptions?q=${encodeURIComponent(email)}`);
    await expect(
      owner.getByTestId("subscriptions").locator('[data-testid="admin-card"]'),
    ).toHaveCount(1);
    await owner.screenshot({ path: `${shots}/admin-subscriptions-phone.png`, fullPage: true });
    await owner
      .getByTestId("subscriptions")
      .locator('[data-testid="admin-card"]')
      .getByTestId("subscription-link")
      .click();
    await expect(detail).toBeVisible();
    const overflow = await owner.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(1);
    await owner.screenshot({ path: `${shots}/admin-subscription-phone.png`, fullPage: true });

    // The deduction logs page finds the declined call by its code.
    await owner.goto(`/admin/deductions?code=ACQ.BUYER_BALANCE_NOT_ENOUGH&outcome=declined`);
    await expect(
      owner.getByTestId("deductions").locator('[data-testid="admin-card"]').first(),
    ).toContainText(codes.alipayCode.ACQ_BUYER_BALANCE_NOT_ENOUGH);
    await owner.screenshot({ path: `${shots}/admin-deductions-phone.png`, fullPage: true });
    await admin.close();
  });

  test("unsign asks first; the agreement is then closed and its actions gone", async ({
    page,
    browser,
  }) => {
    const email = await subscribedBuyer(page);
    const admin = await browser.newContext();
    const owner = await admin.newPage();
    await owner.setViewportSize(PHONE);
    await signIn(
      owner,
      SANDBOX_ADMIN.email,
      SANDBOX_ADMIN.password,
      "/signin?callbackUrl=/admin/subscriptions",
    );
    // Signed in once the list is shown (only then is the session cookie set).
    await expect(owner.getByTestId("admin-shell")).toBeVisible();
    await owner.goto(`/admin/subscriptions?q=${encodeURIComponent(email)}`);
    // At phone width the list is cards (the table is hidden).
    await owner.getByTestId("admin-card").getByTestId("subscription-link").click();
    await owner.getByTestId("action-unsign").click();
    const confirm = owner.getByTestId("unsign-confirm");
    await expect(confirm).toContainText(email);
    await owner.screenshot({
      path: `${shots}/admin-subscription-unsign-phone.png`,
      fullPage: true,
    });
    await owner.getByTestId("unsign-yes").click();
    await expect(owner.getByTestId("action-result")).toHaveAttribute("data-outcome", "succeeded");
    await expect(owner.getByTestId("subscription-detail")).toHaveAttribute("data-status", "closed");
    await expect(owner.getByTestId("action-retry")).toHaveCount(0);
    await expect(
      owner.locator('[data-testid="audit-row"][data-action="agreement.unsigned_by_admin"]'),
    ).toHaveCount(1);
    await admin.close();
  });
});
