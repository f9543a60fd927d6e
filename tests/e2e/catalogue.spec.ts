import { expect, test } from "./fixtures";
import { en, zh } from "./helpers";

test.describe("catalogue", () => {
  test("the home page lists the seeded catalogue in Chinese", async ({ page }) => {
    await page.goto("/");
    await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
    await expect(page.getByRole("heading", { level: 1, name: zh.catalogue.title })).toBeVisible();
    await expect(page.getByTestId("product-card")).toHaveCount(7);
    for (const section of Object.values(zh.catalogue.section)) {
      await expect(page.getByRole("heading", { level: 2, name: section })).toBeVisible();
    }
    await expect(page.getByText("一个人的副业手册（电子书）")).toBeVisible();
    await expect(page.getByText("¥9.90", { exact: true })).toBeVisible();
    await expect(page.getByText("¥30.00 / 30 天")).toBeVisible();
  });

  test("a product page shows price, description and the period of a plan", async ({ page }) => {
    await page.goto("/");
    await page.getByRole("link", { name: "季度会员" }).click();
    await expect(page).toHaveURL(/\/products\/membership-quarterly$/);
    await expect(page.getByRole("heading", { level: 1, name: "季度会员" })).toBeVisible();
    await expect(page.getByText("¥78.00 / 90 天")).toBeVisible();
    await expect(page.getByTestId("product-period")).toHaveText("每 90 天");
    await expect(page.getByText(zh.product.autoRenew)).toBeVisible();
    // Purchased content is never shown before payment.
    await expect(page.getByText("/downloads/")).toHaveCount(0);
  });

  test("an unknown product is a 404 page, whatever the slug looks like", async ({ page }) => {
    for (const slug of ["no-such-thing", "%E4%B8%AD%E6%96%87", "a".repeat(300), "..%2F..%2Fetc"]) {
      const response = await page.goto(`/products/${slug}`);
      expect(response?.status(), slug).toBe(404);
      await expect(page.getByRole("heading", { name: zh.notFound.title })).toBeVisible();
    }
  });

  test("phone width: the catalogue is one readable column", async ({ page }, testInfo) => {
    await page.setViewportSize({ width: 375, height: 812 });
    await page.goto("/");
    await expect(page.getByTestId("product-card")).toHaveCount(7);
    const widths = await page
      .getByTestId("product-card")
      .evaluateAll((cards) => cards.map((card) => card.getBoundingClientRect().width));
    for (const width of widths) expect(width).toBeGreaterThan(300);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    expect(overflow, "no horizontal scrolling at phone width").toBeLessThanOrEqual(0);
    const path = testInfo.outputPath("catalogue-phone.png");
    await page.screenshot({ path, fullPage: true });
    await testInfo.attach("catalogue at 375px", { path, contentType: "image/png" });
    await page.screenshot({ path: "test-results/screenshots/catalogue-phone.png", fullPage: true });
  });

  test("phone width: product and sign-up pages fit the screen", async ({ page }) => {
    await page.setViewportSize({ width: 375, height: 812 });
    for (const [path, name] of [
      ["/products/membership-monthly", "product-phone"],
      ["/signup", "signup-phone"],
    ] as const) {
      await page.goto(path);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - window.innerWidth,
      );
      expect(overflow, `${path} scrolls sideways at phone width`).toBeLessThanOrEqual(0);
      await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
    }
  });

  test("English is one click away and sticks across pages", async ({ page }) => {
    await page.goto("/products/membership-monthly");
    await page.getByRole("button", { name: zh.locale.en }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Monthly membership" })).toBeVisible();
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
    await expect(page.getByText("¥30.00 / 30 days")).toBeVisible();
    await page.getByRole("link", { name: en.product.back }).click();
    await expect(page.getByRole("heading", { level: 1, name: en.catalogue.title })).toBeVisible();
    await page.screenshot({ path: "test-results/screenshots/catalogue-en.png", fullPage: true });
    await page.getByRole("button", { name: en.locale["zh-CN"] }).click();
    await expect(page.getByRole("heading", { level: 1, name: zh.catalogue.title })).toBeVisible();
  });
});
