import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";

/*
 * Issue #10 item 4: product pages are shareable (Open Graph / WeChat card with a cover that
 * answers 200), every product has a cover in the catalogue and on its page, and the shop has an
 * icon, an apple-touch-icon and a web manifest (no /favicon.ico 404 on every page).
 */

const shots = "test-results/screenshots";

async function meta(page: Page, property: string): Promise<string | null> {
  return page
    .locator(`meta[property="${property}"], meta[name="${property}"]`)
    .first()
    .getAttribute("content");
}

/** Every cover on the page has loaded as a real image. */
async function expectCoversLoaded(page: Page, count: number) {
  const covers = page.getByTestId("product-cover");
  await expect(covers).toHaveCount(count);
  for (const cover of await covers.all()) {
    await cover.scrollIntoViewIfNeeded();
    await expect
      .poll(() => cover.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
      .toBe(1200);
  }
}

test.describe("share cards, covers and icons", () => {
  test("a product page carries its share card, and its image answers 200", async ({
    page,
    request,
  }) => {
    await page.goto("/products/membership-quarterly");
    expect(await meta(page, "og:title")).toBe("季度会员");
    expect(await meta(page, "og:description")).toMatch(/\S{6,}/);
    expect(await meta(page, "og:type")).toBe("website");
    expect(await meta(page, "og:url")).toMatch(/\/products\/membership-quarterly$/);
    expect(await meta(page, "og:site_name")).toBe("小铺");
    expect(await meta(page, "product:price:amount")).toBe("78.00");
    expect(await meta(page, "product:price:currency")).toBe("CNY");
    expect(await meta(page, "twitter:card")).toBe("summary_large_image");
    expect(await page.locator('meta[name="description"]').getAttribute("content")).toBe(
      await meta(page, "og:description"),
    );
    const image = await meta(page, "og:image");
    // Absolute (on APP_URL), as crawlers need it.
    expect(image).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/products\/membership-quarterly\/cover\.png$/,
    );
    expect(await meta(page, "og:image:width")).toBe("1200");
    expect(await meta(page, "og:image:height")).toBe("630");
    const response = await request.get(image!);
    expect(response.status()).toBe(200);
    expect(response.headers()["content-type"]).toBe("image/png");
    expect((await response.body()).length).toBeGreaterThan(1000);
    // In English, the card speaks English.
    await page.context().addCookies([{ name: "NEXT_LOCALE", value: "en", url: page.url() }]);
    await page.reload();
    expect(await meta(page, "og:title")).toBe("Quarterly membership");
    expect(await meta(page, "og:locale")).toBe("en_US");
  });

  test("every product has a cover in the catalogue and on its page (phone width)", async ({
    page,
  }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto("/");
    await expectCoversLoaded(page, 7);
    await page.screenshot({ path: `${shots}/catalogue-covers-phone.png`, fullPage: true });
    await page.goto("/products/side-hustle-handbook");
    await expectCoversLoaded(page, 1);
    await page.screenshot({ path: `${shots}/product-cover-phone.png`, fullPage: true });
  });

  test("the icons and the web manifest answer 200, and pages declare them", async ({
    page,
    request,
  }) => {
    const favicon = await request.get("/favicon.ico");
    expect(favicon.status()).toBe(200);
    expect((await favicon.body()).subarray(0, 4)).toEqual(Buffer.from([0, 0, 1, 0]));
    await page.goto("/");
    for (const selector of [
      'link[rel="icon"][type="image/png"]',
      'link[rel="apple-touch-icon"]',
      'link[rel="manifest"]',
    ]) {
      const href = await page.locator(selector).first().getAttribute("href");
      expect(href, selector).toBeTruthy();
      const answer = await request.get(href!);
      expect(answer.status(), `${selector} ${href}`).toBe(200);
    }
    const manifest = (await (await request.get("/manifest.webmanifest")).json()) as {
      name: string;
      icons: { src: string }[];
    };
    expect(manifest.name).toBe("小铺");
    expect((await request.get(manifest.icons[0]!.src)).status()).toBe(200);
    expect(await page.locator('meta[name="theme-color"]').getAttribute("content")).toBe("#f0531c");
  });
});
