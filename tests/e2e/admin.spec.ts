import { expect, test } from "./fixtures";
import { SANDBOX_ADMIN, signIn, signUp, uniqueEmail, zh } from "./helpers";

test.describe("admin guard", () => {
  test("anonymous visitors are sent to sign in, then back to /admin", async ({ page }) => {
    await page.goto("/admin/products");
    await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fadmin%2Fproducts$/);
    await page.getByLabel(zh.auth.email).fill(SANDBOX_ADMIN.email);
    await page.getByLabel(zh.auth.password).fill(SANDBOX_ADMIN.password);
    await page.getByRole("button", { name: zh.auth.signIn.submit }).click();
    await expect(page).toHaveURL(/\/admin\/products$/);
    await expect(page.getByRole("heading", { name: zh.admin.products.title })).toBeVisible();
  });

  test("a buyer gets a 403 page", async ({ page }) => {
    await signUp(page, uniqueEmail("nosy"));
    for (const path of [
      "/admin",
      "/admin/products",
      "/admin/orders",
      "/admin/webhooks",
      "/admin/runs",
    ]) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(403);
      await expect(page.getByTestId("forbidden")).toBeVisible();
      await expect(page.getByTestId("admin-shell")).toHaveCount(0);
    }
  });

  test("the admin gets the admin shell with the dashboard", async ({ page }, testInfo) => {
    await signIn(page, SANDBOX_ADMIN.email, SANDBOX_ADMIN.password, "/signin?callbackUrl=/admin");
    await expect(page).toHaveURL(/\/admin$/);
    await expect(page.getByTestId("admin-shell")).toBeVisible();
    await expect(page.getByRole("heading", { name: zh.admin.dashboard.title })).toBeVisible();
    await expect(page.getByTestId("stat-activeProducts")).toContainText("7");
    await expect(page.getByTestId("stat-revenue")).toContainText("¥0.00");
    await page.getByTestId("account-menu").locator("summary").click();
    await expect(page.getByRole("link", { name: zh.nav.admin })).toBeVisible();
    const path = testInfo.outputPath("admin-dashboard.png");
    await page.screenshot({ path: "test-results/screenshots/admin-dashboard.png", fullPage: true });
    await page.screenshot({ path });
  });
});
