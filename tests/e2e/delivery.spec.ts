import { readFile } from "node:fs/promises";
import deliveryEn from "../../messages/delivery.en.json" with { type: "json" };
import delivery from "../../messages/delivery.zh-CN.json" with { type: "json" };
import { pdfPageCount, pdfText } from "../helpers/pdf-text";
import { expect, test, type Page } from "./fixtures";
import { signUp, uniqueEmail, zh } from "./helpers";

/*
 * Issue #12, acceptance 1: a buyer pays for an e-book in the sandbox, opens the library and
 * downloads the PDF (its bytes checked: a PDF of the seeded book, every page stamped with the
 * buyer's e-mail); a course's lessons open; another buyer gets 403 for the same download URL
 * and the same lesson. Phone width throughout: buyers scan from their phones.
 */

const PHONE = { width: 390, height: 844 };

/** Buys `slug` with the sandbox's scan & pay page and waits for the checkout to say paid. */
async function buy(page: Page, slug: string) {
  await page.goto(`/products/${slug}`);
  await page.getByRole("button", { name: zh.product.buy }).click();
  await expect(page.getByTestId("checkout-qr")).toBeVisible();
  const payUrl = (await page.getByTestId("pay-open").getAttribute("href"))!;
  const phone = await page.context().newPage();
  await phone.goto(payUrl);
  await phone.getByTestId("pay-submit").click();
  await expect(phone.getByTestId("pay-paid")).toBeVisible();
  await phone.close();
  await expect(page.getByTestId("checkout-heading")).toHaveText(zh.checkout.states.paid.heading, {
    timeout: 10_000,
  });
}

test.describe("digital delivery (sandbox; the chromium project on local storage, the s3 project on s3rver)", () => {
  test("a buyer downloads the stamped e-book and opens the course; another buyer gets 403", async ({
    page,
    browser,
  }) => {
    test.setTimeout(120_000);
    await page.setViewportSize(PHONE);
    const email = uniqueEmail("library");
    await signUp(page, email);

    // Before paying, the product page says what comes with it (never the files themselves).
    await page.goto("/products/side-hustle-handbook");
    await expect(page.getByTestId("product-includes")).toHaveText("1 个文件（PDF）");
    await page.goto("/products/notion-for-creators");
    await expect(page.getByTestId("product-includes")).toHaveText("3 节课");

    // The e-book: paid → the checkout leads to the library.
    await buy(page, "side-hustle-handbook");
    await page.getByTestId("open-library").click();
    await expect(page).toHaveURL(/\/account\/library$/);
    const book = page.locator('[data-testid="library-product"][data-slug="side-hustle-handbook"]');
    await expect(book).toBeVisible();
    await expect(page.getByTestId("library-product")).toHaveCount(1); // what they own, nothing else

    const link = book.getByTestId("download-link").first();
    const downloadUrl = (await link.getAttribute("href"))!;
    expect(downloadUrl).toMatch(/^\/api\/downloads\/fil_[0-9a-z]{20}$/);
    const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
    expect(download.suggestedFilename()).toMatch(/\.pdf$/);
    const bytes = new Uint8Array(await readFile((await download.path())!));
    expect(new TextDecoder().decode(bytes.subarray(0, 5))).toBe("%PDF-");
    const pages = await pdfPageCount(bytes);
    expect(pages).toBeGreaterThan(1);
    const text = await pdfText(bytes);
    expect(text).toContain("一个人的副业手册"); // the seeded book itself
    // The stamp: on every page, naming this buyer.
    expect(text.split(email).length - 1).toBeGreaterThanOrEqual(pages);
    expect(text).toContain("个人使用");
    await page.reload();
    await expect(
      book.getByText(delivery.library.downloadsLeft.replace("{count}", "19")),
    ).toBeVisible();
    await page.screenshot({ path: "test-results/screenshots/library-phone.png", fullPage: true });
    // A download refused while PDFs are being stamped for many buyers comes back with a notice.
    await page.goto("/account/library?download=busy");
    await expect(page.getByTestId("download-notice")).toHaveText(delivery.library.notice.busy);
    await page.screenshot({ path: "test-results/screenshots/library-busy-phone.png" });
    await page.goto("/products/side-hustle-handbook");
    await expect(page.getByTestId("owned-library")).toHaveAttribute("href", "/account/library");

    // In English, the same library (plural forms and all).
    await page
      .context()
      .addCookies([{ name: "NEXT_LOCALE", value: "en", url: new URL(page.url()).origin }]);
    await page.goto("/account/library");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(deliveryEn.library.title);
    await expect(book.getByText("19 downloads left today")).toBeVisible();
    await page.screenshot({
      path: "test-results/screenshots/library-phone-en.png",
      fullPage: true,
    });
    await page
      .context()
      .addCookies([{ name: "NEXT_LOCALE", value: "zh-CN", url: new URL(page.url()).origin }]);

    // The course: its three lessons open, one after another.
    await buy(page, "notion-for-creators");
    await page.goto("/account/library");
    const course = page.locator('[data-testid="library-product"][data-slug="notion-for-creators"]');
    await expect(course.getByTestId("library-lesson")).toHaveCount(3);
    await course.getByTestId("library-lesson").first().click();
    await expect(page).toHaveURL(/\/learn\/notion-for-creators\/les_[0-9a-z]{20}$/);
    const lessonUrl = new URL(page.url()).pathname;
    await expect(page.getByTestId("lesson-title")).toBeVisible();
    await page.screenshot({ path: "test-results/screenshots/lesson-phone.png", fullPage: true });
    const firstTitle = await page.getByTestId("lesson-title").textContent();
    await page.getByTestId("next-lesson").click();
    await expect(page.getByTestId("lesson-title")).not.toHaveText(firstTitle!);

    // Another buyer, the same URLs: refused.
    const other = await browser.newContext();
    const stranger = await other.newPage();
    await stranger.setViewportSize(PHONE);
    await signUp(stranger, uniqueEmail("stranger"));
    const refused = await stranger.request.get(downloadUrl);
    expect(refused.status()).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: "forbidden" } });
    const lesson = await stranger.goto(lessonUrl);
    expect(lesson?.status()).toBe(403);
    await expect(stranger.getByTestId("forbidden")).toBeVisible();
    await stranger.goto("/account/library");
    await expect(stranger.getByTestId("library-empty")).toBeVisible();
    await expect(stranger.getByTestId("library-product")).toHaveCount(0);
    await stranger.screenshot({
      path: "test-results/screenshots/library-empty-phone.png",
      fullPage: true,
    });
    await other.close();
  });

  test("signed out, the library and a lesson ask to sign in; a download answers 401", async ({
    page,
  }) => {
    await page.goto("/account/library");
    await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Faccount%2Flibrary$/);
    const response = await page.request.get("/api/downloads/fil_0123456789abcdefghjk");
    expect(response.status()).toBe(401);
    const traversal = await page.request.get("/learn/..%2F..%2Fadmin/les_0123456789abcdefghjk", {
      maxRedirects: 0,
    });
    expect([307, 404]).toContain(traversal.status());
  });
});
