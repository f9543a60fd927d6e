import { randomUUID } from "node:crypto";
import { PNG } from "pngjs";
import type { Page } from "@playwright/test";
import catalog from "../../messages/admin-catalog.zh-CN.json" with { type: "json" };
import { expect, test } from "./fixtures";
import { SANDBOX_ADMIN, signIn, uniqueEmail, zh } from "./helpers";

/*
 * Issue #11, products and users: the admin creates a product with an uploaded cover, finds it
 * in the catalogue with that cover, changes its price, takes it off sale (gone from the
 * catalogue); then searches a user and changes their role (and cannot demote themselves).
 * Screenshots at desktop width and at 390 × 844.
 */

const c = catalog.admin.catalog;
const shots = "test-results/screenshots";
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

/** A 1200 × 630 PNG, teal with a darker band: easy to tell from a generated cover. */
function coverPng(): Buffer {
  const image = new PNG({ width: 1200, height: 630 });
  for (let y = 0; y < 630; y++) {
    for (let x = 0; x < 1200; x++) {
      const i = (y * 1200 + x) * 4;
      const band = y > 250 && y < 380;
      image.data[i] = band ? 10 : 20;
      image.data[i + 1] = band ? 90 : 160;
      image.data[i + 2] = band ? 80 : 150;
      image.data[i + 3] = 255;
    }
  }
  return PNG.sync.write(image);
}

async function signInAsAdmin(page: Page) {
  await signIn(page, SANDBOX_ADMIN.email, SANDBOX_ADMIN.password, "/signin?callbackUrl=/admin");
  await expect(page.getByTestId("admin-shell")).toBeVisible();
}

/** The cover image has loaded as a real picture of the given width. */
async function expectLoaded(page: Page, testId: string, width: number) {
  const img = page.getByTestId(testId).first();
  await img.scrollIntoViewIfNeeded();
  await expect
    .poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth))
    .toBe(width);
}

test.describe("admin: products", () => {
  test("create with a cover, see it in the catalogue, change the price, take it off sale", async ({
    page,
    consoleGuard,
  }) => {
    consoleGuard.allow(
      /status of 415/,
      "the forged image's upload is refused on purpose; the page shows the reason",
    );
    const slug = `e2e-guide-${randomUUID().slice(0, 8)}`;
    const nameZh = `测试指南 ${slug.slice(-4)}`;
    await page.setViewportSize(DESKTOP);
    await signInAsAdmin(page);
    await page.goto("/admin/products");
    await expect(page.getByRole("heading", { name: zh.admin.products.title })).toBeVisible();
    await page.getByTestId("product-new").click();
    await expect(page.getByRole("heading", { name: c.products.createTitle })).toBeVisible();

    const form = page.getByTestId("product-form");
    await form.getByLabel(c.form.slug).fill(slug);
    await form.getByLabel(c.form.nameZh).fill(nameZh);
    await form.getByLabel(c.form.nameEn).fill("E2E guide");
    await form.getByLabel(c.form.descriptionZh).fill("端到端测试创建的商品。");
    await form.getByLabel(c.form.descriptionEn).fill("A product made by the end-to-end test.");
    // A bad price is refused beside its field, and what was typed stays.
    await form.getByLabel(c.form.price).fill("-3");
    await form.getByTestId("product-save").click();
    await expect(form.getByText(c.fieldErrors.price.invalid)).toBeVisible();
    await expect(form.getByLabel(c.form.nameZh)).toHaveValue(nameZh);
    await page.screenshot({ path: `${shots}/admin-product-errors.png`, fullPage: true });

    await form.getByLabel(c.form.price).fill("12.80");
    await form.getByTestId("product-save").click();
    await expect(page).toHaveURL(/\/admin\/products\/prd_\w+\?saved=created$/);
    await expect(page.getByText(c.products.created)).toBeVisible();

    // The cover: a real PNG through the upload route.
    await page.getByLabel(c.cover.file).setInputFiles({
      name: "cover.png",
      mimeType: "image/png",
      buffer: coverPng(),
    });
    await page.getByTestId("product-cover-upload").click();
    await expect(page.getByText(c.cover.uploaded)).toBeVisible();
    const preview = page.getByTestId("product-cover-preview");
    await expect(preview).toHaveAttribute("src", /\/cover\.png\?v=[0-9a-f]{16}$/);
    const coverSrc = (await preview.getAttribute("src"))!;
    await expectLoaded(page, "product-cover-preview", 1200);
    await expect(page.getByTestId("product-cover-facts")).toContainText("image/png");
    await page.screenshot({ path: `${shots}/admin-product-editor.png`, fullPage: true });

    // A forged image is refused with the reason beside the field.
    await page.getByLabel(c.cover.file).setInputFiles({
      name: "evil.png",
      mimeType: "image/png",
      buffer: Buffer.from("<svg onload=alert(1)></svg>"),
    });
    await page.getByTestId("product-cover-upload").click();
    await expect(page.getByText(c.fieldErrors.cover.type)).toBeVisible();

    // The catalogue shows it with that cover.
    await page.goto("/");
    const card = page.getByTestId("product-card").filter({ hasText: nameZh });
    await expect(card).toHaveCount(1);
    await expect(card.getByTestId("product-cover")).toHaveAttribute("src", coverSrc);
    await expect(card).toContainText("¥12.80");
    await card.scrollIntoViewIfNeeded();
    await expect
      .poll(() =>
        card
          .getByTestId("product-cover")
          .evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth),
      )
      .toBe(1200);
    await card.screenshot({ path: `${shots}/catalogue-uploaded-cover.png` });
    const served = await page.request.get(coverSrc);
    expect(served.headers()["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(served.headers()["content-type"]).toBe("image/png");

    // A new price.
    await page.goBack();
    await page.goto(`/admin/products`);
    await page.getByTestId("product-edit-link").filter({ hasText: nameZh }).first().click();
    await page.getByTestId("product-form").getByLabel(c.form.price).fill("15.50");
    await page.getByTestId("product-save").click();
    await expect(page.getByText(c.products.updated)).toBeVisible();
    await page.goto(`/products/${slug}`);
    await expect(page.getByText("¥15.50").first()).toBeVisible();
    await expect(page.getByTestId("product-cover")).toHaveAttribute("src", coverSrc);

    // Off sale: gone from the catalogue, its page a 404.
    await page.goto("/admin/products");
    await page.getByTestId("product-edit-link").filter({ hasText: nameZh }).first().click();
    await page.getByRole("button", { name: c.status.deactivate }).click();
    await expect(page.getByText(c.status.deactivateConfirm)).toBeVisible();
    await page.getByTestId("product-deactivate-confirm").click();
    await expect(page.getByText(c.status.deactivated)).toBeVisible();
    await page.goto("/");
    await expect(page.getByTestId("product-card").first()).toBeVisible();
    await expect(page.getByTestId("product-card").filter({ hasText: nameZh })).toHaveCount(0);
    const gone = await page.goto(`/products/${slug}`);
    expect(gone?.status()).toBe(404);

    // The list still has it, off sale; at phone width as cards.
    await page.setViewportSize(PHONE);
    await page.goto("/admin/products");
    const row = page.getByTestId("admin-card").filter({ hasText: nameZh });
    await expect(row).toContainText(c.products.coverUploaded);
    await expect(row).toContainText(catalog.admin.codes.productStatus.inactive);
    await page.screenshot({ path: `${shots}/admin-products-phone.png`, fullPage: true });
    await row.getByTestId("product-edit-link").click();
    await expect(page.getByText(c.products.notOnSale)).toBeVisible();
    // Off sale, the uploaded cover is still shown to the admin (through the admin's route).
    await expect(page.getByTestId("product-cover-preview")).toHaveAttribute(
      "src",
      /^\/api\/admin\/products\/prd_\w+\/cover/,
    );
    await expectLoaded(page, "product-cover-preview", 1200);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${shots}/admin-product-editor-phone.png`, fullPage: true });

    // Every step is in the audit log.
    await page.goto("/admin/audit?action=product.");
    const entries = page.getByTestId("audit-row");
    await expect(entries.filter({ hasText: "product.create" }).first()).toBeVisible();
    await expect(entries.filter({ hasText: "product.cover_upload" }).first()).toBeVisible();
    await expect(entries.filter({ hasText: "product.update" }).first()).toContainText("1550");
    await expect(entries.filter({ hasText: "product.deactivate" }).first()).toBeVisible();
  });

  test("the products list at desktop width", async ({ page }) => {
    await page.setViewportSize(DESKTOP);
    await signInAsAdmin(page);
    await page.goto("/admin/products");
    await expect(page.getByTestId("admin-row").first()).toBeVisible();
    await expect(
      page.getByTestId("admin-row").filter({ hasText: "membership-weekly" }),
    ).toContainText("7");
    await page.screenshot({ path: `${shots}/admin-products.png`, fullPage: true });
  });
});

test.describe("admin: users", () => {
  test("search a user, make them admin, then buyer again; the admin cannot demote themselves", async ({
    page,
    request,
  }) => {
    const email = uniqueEmail("role");
    const signup = await request.post("/api/account/signup", {
      data: { email, password: "e2e-password-1", name: "角色测试" },
    });
    expect(signup.status()).toBe(201);

    await page.setViewportSize(PHONE);
    await signInAsAdmin(page);
    await page.goto("/admin/users");
    await expect(page.getByRole("heading", { name: c.users.title })).toBeVisible();
    await page.getByLabel(c.users.search).fill(email.slice(0, 12).toUpperCase());
    await page.getByRole("button", { name: c.users.apply }).click();
    await expect(page).toHaveURL(/\/admin\/users\?q=/);
    const card = page.getByTestId("admin-card").filter({ hasText: email });
    await expect(card).toHaveCount(1);
    await expect(page.getByTestId("admin-card")).toHaveCount(1);
    await page.screenshot({ path: `${shots}/admin-users-phone.png`, fullPage: true });

    await card.getByTestId("user-link").click();
    await expect(page.getByTestId("user-email")).toHaveText(email);
    await expect(page.getByTestId("user-membership")).toHaveText(c.users.membershipNone);
    const role = page.getByTestId("user-role");
    await role.getByRole("checkbox").check();
    await role.getByRole("button", { name: c.users.makeAdmin }).click();
    await expect(role.getByText(c.users.changed)).toBeVisible();
    await expect(role.getByRole("button", { name: c.users.makeBuyer })).toBeVisible();
    await page.screenshot({ path: `${shots}/admin-user-phone.png`, fullPage: true });
    await role.getByRole("checkbox").check();
    await role.getByRole("button", { name: c.users.makeBuyer }).click();
    await expect(role.getByRole("button", { name: c.users.makeAdmin })).toBeVisible();

    // Filter by role: the new user is a buyer again.
    await page.goto(`/admin/users?q=${encodeURIComponent(email)}&role=admin`);
    await expect(page.getByTestId("users-table-empty")).toBeVisible();

    // The owner's own page: the server refuses the demotion.
    await page.setViewportSize(DESKTOP);
    await page.goto(`/admin/users?q=${encodeURIComponent(SANDBOX_ADMIN.email)}`);
    await page.getByTestId("admin-row").getByTestId("user-link").click();
    await expect(page.getByText(c.users.selfNote)).toBeVisible();
    const own = page.getByTestId("user-role");
    await own.getByRole("checkbox").check();
    await own.getByRole("button", { name: c.users.makeBuyer }).click();
    await expect(page.getByTestId("user-role-error")).toHaveText(c.users.errors.self);
    await page.screenshot({ path: `${shots}/admin-user-self.png`, fullPage: true });
    // Still the admin.
    await page.goto("/admin/users");
    await expect(page.getByTestId("admin-shell")).toBeVisible();

    await page.goto("/admin/audit?action=user.role_change");
    await expect(page.getByTestId("audit-row").first()).toContainText("user.role_change");
  });

  test("a demoted admin loses the admin at once", async ({ page, browser, request }) => {
    const email = uniqueEmail("demoted");
    const password = "e2e-password-1";
    expect(
      (await request.post("/api/account/signup", { data: { email, password } })).status(),
    ).toBe(201);
    await signInAsAdmin(page);
    await page.goto(`/admin/users?q=${encodeURIComponent(email)}`);
    await page.getByTestId("user-link").first().click();
    const role = page.getByTestId("user-role");
    await role.getByRole("checkbox").check();
    await role.getByRole("button", { name: c.users.makeAdmin }).click();
    await expect(role.getByText(c.users.changed)).toBeVisible();

    // They sign in as an admin in their own browser…
    const theirs = await browser.newContext();
    const them = await theirs.newPage();
    await signIn(them, email, password, "/signin?callbackUrl=/admin");
    await expect(them.getByTestId("admin-shell")).toBeVisible();

    // …and are demoted: their next request is no longer an admin's.
    await role.getByRole("checkbox").check();
    await role.getByRole("button", { name: c.users.makeBuyer }).click();
    await expect(role.getByRole("button", { name: c.users.makeAdmin })).toBeVisible();
    const api = await them.request.get("/api/admin/users", { maxRedirects: 0 });
    expect([401, 403]).toContain(api.status());
    await them.goto("/admin/users");
    await expect(them.getByTestId("admin-shell")).toHaveCount(0);
    await theirs.close();
  });
});
