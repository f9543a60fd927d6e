import { expect, test } from "./fixtures";
import { SANDBOX_ADMIN, signIn, signUp, uniqueEmail, zh } from "./helpers";

/*
 * The sandbox admin on a phone at /admin/billing: the shop's virtual time, the panel that moves
 * the clock and runs a billing phase now, the result box, and the run in the list.
 *
 * Moves the shared sandbox clock forward by one day: other specs read dates relative to the
 * clock's now when they need them (membership.spec.ts asks /sandbox/control/clock).
 */

const PHONE = { width: 390, height: 844 };
const shots = "test-results/screenshots";
const DAY_MS = 86_400_000;
const billing = zh.admin.billing;

test.describe("admin billing (sandbox time)", () => {
  test("on a phone: +1 day moves the virtual clock, a dry-run charge shows its report", async ({
    page,
  }) => {
    await page.setViewportSize(PHONE);
    await signIn(
      page,
      SANDBOX_ADMIN.email,
      SANDBOX_ADMIN.password,
      "/signin?callbackUrl=/admin/billing",
    );
    await expect(page).toHaveURL(/\/admin\/billing$/);
    await expect(page.getByRole("heading", { name: billing.title, exact: true })).toBeVisible();
    // The admin nav leads here.
    await expect(
      page.getByTestId("admin-shell").getByRole("link", { name: zh.admin.nav.billing }),
    ).toHaveAttribute("href", "/admin/billing");

    const time = page.getByTestId("billing-shop-time");
    await expect(time).toBeVisible();
    await expect(page.getByTestId("billing-clock-offset")).toBeVisible();
    const offsetBefore = Number(await time.getAttribute("data-offset-ms"));
    expect(Number.isFinite(offsetBefore)).toBe(true);

    const panel = page.getByTestId("billing-sandbox-panel");
    await expect(panel).toBeVisible();
    // Nothing is wider than the phone: the buttons wrap.
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(1);
    for (const testId of ["billing-advance-30", "billing-run-reconcile"]) {
      const box = await page.getByTestId(testId).boundingBox();
      expect(box, testId).not.toBeNull();
      expect(box!.x + box!.width, testId).toBeLessThanOrEqual(PHONE.width);
    }

    // +1 天: the clock moves exactly one day and the page shows it.
    await panel
      .getByRole("button", { name: billing.panel.advance.replace("{days}", "1"), exact: true })
      .click();
    await expect(page.getByTestId("billing-clock-moved")).toHaveAttribute(
      "data-offset-ms",
      String(offsetBefore + DAY_MS),
    );
    await expect(time).toHaveAttribute("data-offset-ms", String(offsetBefore + DAY_MS));
    await expect(page.getByTestId("billing-error")).toHaveCount(0);

    // A dry-run charge: the result box reports it.
    await panel.getByLabel(billing.panel.dryRun).check();
    await panel.getByRole("button", { name: billing.panel.phases.charge, exact: true }).click();
    const result = page.getByTestId("billing-result");
    await expect(result).toBeVisible();
    await expect(result).toHaveAttribute("data-phase", "charge");
    await expect(result).toHaveAttribute("data-dry-run", "true");
    await expect(result).toContainText(billing.panel.result.dryRun);
    for (const key of ["processed", "charged", "declined", "closed", "postponed", "unknown"]) {
      await expect(page.getByTestId(`billing-result-${key}`)).toContainText(
        billing.panel.result[key as keyof typeof billing.panel.result],
      );
    }
    // A dry run charges nothing.
    await expect(page.getByTestId("billing-result-charged").locator("dd")).toHaveText("0");
    await expect(page.getByTestId("billing-error")).toHaveCount(0);

    // The run is listed, marked as a dry run.
    await expect(
      page
        .locator('[data-testid="billing-run-row"][data-job="billing:charge"][data-dry-run="true"]')
        .first(),
    ).toBeVisible();

    await result.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${shots}/admin-billing-phone.png`, fullPage: true });
  });

  test("a buyer gets a 403 page", async ({ page }) => {
    await signUp(page, uniqueEmail("billing-nosy"));
    const response = await page.goto("/admin/billing");
    expect(response?.status()).toBe(403);
    await expect(page.getByTestId("forbidden")).toBeVisible();
    await expect(page.getByTestId("billing-sandbox-panel")).toHaveCount(0);
  });
});
