import { readFile } from "node:fs/promises";
import { expect, test } from "./fixtures";
import { appPaths } from "../helpers/app-paths";
import { SANDBOX_ADMIN, signIn, signUp, uniqueEmail, zh } from "./helpers";

/**
 * Every admin page and admin API, found on disk (issue #11, acceptance 1): a new one is covered
 * without editing this file.
 */
const adminPaths = appPaths().filter(
  ({ path }) => path === "/admin" || path.startsWith("/admin/") || path.startsWith("/api/admin/"),
);
const adminPages = adminPaths.filter((p) => p.page).map((p) => p.path);
const adminApis = adminPaths.filter((p) => !p.page);

test.describe("admin guard", () => {
  test("the enumeration finds the admin pages", () => {
    expect(adminPages).toEqual(
      expect.arrayContaining(["/admin", "/admin/orders", "/admin/products", "/admin/webhooks"]),
    );
  });

  test("anonymous visitors are sent to sign in, then back to /admin", async ({ page }) => {
    await page.goto("/admin/products");
    await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fadmin%2Fproducts$/);
    await page.getByLabel(zh.auth.email).fill(SANDBOX_ADMIN.email);
    await page.getByLabel(zh.auth.password).fill(SANDBOX_ADMIN.password);
    await page.getByRole("button", { name: zh.auth.signIn.submit }).click();
    await expect(page).toHaveURL(/\/admin\/products$/);
    await expect(page.getByRole("heading", { name: zh.admin.products.title })).toBeVisible();
  });

  test("every admin page sends an anonymous visitor to sign in; every admin API answers 401", async ({
    request,
  }) => {
    // One request per admin page and route, found on disk: the list grows with the admin.
    test.setTimeout(90_000);
    for (const path of adminPages) {
      const response = await request.get(path, { maxRedirects: 0 });
      expect([303, 307], path).toContain(response.status());
      expect(response.headers().location, path).toContain(
        `/signin?callbackUrl=${encodeURIComponent(path)}`,
      );
    }
    for (const { path, methods } of adminApis) {
      for (const method of methods) {
        const response = await request.fetch(path, { method, maxRedirects: 0 });
        expect(response.status(), `${method} ${path}`).toBe(401);
      }
    }
  });

  test("a buyer gets a 403 page on every admin page, and 403 from every admin API", async ({
    page,
  }) => {
    // One request per admin page and route, found on disk: the list grows with the admin.
    test.setTimeout(90_000);
    await signUp(page, uniqueEmail("nosy"));
    for (const path of adminPages) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(403);
      await expect(page.getByTestId("forbidden")).toBeVisible();
      await expect(page.getByTestId("admin-shell")).toHaveCount(0);
    }
    for (const { path, methods } of adminApis) {
      for (const method of methods) {
        const response = await page.request.fetch(path, { method, maxRedirects: 0 });
        expect(response.status(), `${method} ${path}`).toBe(403);
      }
    }
  });

  test("the admin gets every admin page and every admin API's GET", async ({ page }) => {
    // One request per admin page and route, found on disk: the list grows with the admin.
    test.setTimeout(90_000);
    await signIn(page, SANDBOX_ADMIN.email, SANDBOX_ADMIN.password, "/signin?callbackUrl=/admin");
    await expect(page).toHaveURL(/\/admin$/);
    // (The sign-in page's own URL ends in "/admin" too: wait for the shell, not the URL.)
    await expect(page.getByTestId("admin-shell")).toBeVisible();
    for (const path of adminPages) {
      const response = await page.goto(path);
      // A dynamic page filled with a made-up id is a 404; never a refusal.
      expect(path.includes("/x") ? [200, 404] : [200], path).toContain(response?.status());
      await expect(page.getByTestId("admin-shell")).toBeVisible();
    }
    for (const { path } of adminApis.filter((api) => api.methods.includes("GET"))) {
      const response = await page.request.get(path, { maxRedirects: 0 });
      expect(path.includes("/x") ? [200, 404] : [200], `GET ${path}`).toContain(response.status());
    }
  });

  test("the admin gets the admin shell with the dashboard", async ({ page }, testInfo) => {
    await signIn(page, SANDBOX_ADMIN.email, SANDBOX_ADMIN.password, "/signin?callbackUrl=/admin");
    await expect(page).toHaveURL(/\/admin$/);
    await expect(page.getByTestId("admin-shell")).toBeVisible();
    // The overview itself is tested in admin-overview.spec.ts (figures, links, screenshots).
    await expect(page.getByTestId("admin-overview")).toBeVisible();
    await page.getByTestId("account-menu").locator("summary").click();
    await expect(page.getByRole("link", { name: zh.nav.admin })).toBeVisible();
    const path = testInfo.outputPath("admin-dashboard.png");
    await page.screenshot({ path: "test-results/screenshots/admin-dashboard.png", fullPage: true });
    await page.screenshot({ path });
  });
});

test.describe("admin CSV export", () => {
  test("the admin downloads the orders of a date range as CSV; a bad range gets its reason", async ({
    page,
  }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await signIn(page, SANDBOX_ADMIN.email, SANDBOX_ADMIN.password, "/signin?callbackUrl=/admin");
    await expect(page.getByTestId("admin-shell")).toBeVisible();
    await page.goto("/admin/orders");
    const form = page.getByTestId("export-orders");
    await expect(form.getByRole("heading", { name: zh.admin.export.title })).toBeVisible();
    await form.getByLabel(zh.admin.export.from).fill("2026-01-01");
    await form.getByLabel(zh.admin.export.to).fill("2026-12-31");
    await form.scrollIntoViewIfNeeded();
    await page.screenshot({ path: "test-results/screenshots/admin-export-phone.png" });
    const downloading = page.waitForEvent("download");
    await form.getByRole("button", { name: zh.admin.export.orders.button }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe("orders-2026-01-01_2026-12-31.csv");
    const bytes = await readFile((await download.path())!);
    // UTF-8 with a byte-order mark (Excel), the header in the admin's language, CRLF lines.
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.subarray(3).toString("utf8");
    expect(
      text.startsWith(`${zh.admin.export.orders.orderNo},${zh.admin.export.orders.createdAt},`),
    ).toBe(true);
    expect(text.endsWith("\r\n")).toBe(true);

    // The export is in the audit log, with who made it and the range.
    await page.goto("/admin/audit?action=export.orders");
    const entry = page.getByTestId("audit-row").first();
    await expect(entry).toContainText("export.orders");
    await expect(entry).toContainText(SANDBOX_ADMIN.email);
    await expect(entry).toContainText('"from": "2026-01-01"');
    await page.screenshot({
      path: "test-results/screenshots/admin-audit-phone.png",
      fullPage: true,
    });

    const bad = await page.request.get("/api/admin/export/orders?from=2026-02-30");
    expect(bad.status()).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain("from must be a date");
    const reversed = await page.request.get(
      "/api/admin/export/deductions?from=2026-12-02&to=2026-12-01",
    );
    expect(reversed.status()).toBe(400);
  });
});
