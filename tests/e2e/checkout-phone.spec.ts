import { readFile } from "node:fs/promises";
import { devices } from "@playwright/test";
import sandboxZh from "../../messages/sandbox.zh-CN.json" with { type: "json" };
import { expect, test, type Page } from "./fixtures";
import { signUp, uniqueEmail, zh } from "./helpers";
import { decodeQrDataUrl, decodeQrPng } from "./qr";

/*
 * Most buyers arrive from a WeChat link on the phone that would have to scan the code: on a phone
 * the checkout's first action opens the payment page itself (the QR's own URL), the second saves
 * the code as a PNG; the QR stays for a second device. Chromium with the iPhone 13's screen and
 * user agent (WebKit is not installed here).
 */

const { defaultBrowserType: _webkit, ...iPhone13 } = devices["iPhone 13"];
const shots = "test-results/screenshots";
const states = zh.checkout.states;
const title = (state: keyof typeof states) => `${states[state].title} · ${zh.meta.title}`;

interface StartedOrder {
  orderNo: string;
  expiresAt: string;
  qr: { qrId: string; qrUrl: string };
}

/** Buys on the product page, then asks the API for the open order: the QR URL, independently. */
async function buy(page: Page, slug: string): Promise<StartedOrder> {
  await page.goto(`/products/${slug}`);
  await page.getByRole("button", { name: zh.product.buy }).click();
  await expect(page).toHaveURL(/\/checkout\/XP\d{8}[0-9A-Z]{10}$/);
  const again = await page.request.post("/api/orders", { data: { productSlug: slug } });
  expect(again.status()).toBe(201);
  const order = (await again.json()) as StartedOrder;
  expect(page.url()).toMatch(new RegExp(`/checkout/${order.orderNo}$`));
  return order;
}

/** The first link or button inside the checkout card. */
const firstAction = (page: Page) => page.getByTestId("checkout").locator("a, button").first();

async function saveQr(page: Page, orderNo: string): Promise<string> {
  const downloading = page.waitForEvent("download");
  await page.getByTestId("pay-save").click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(`xiaopu-${orderNo}.png`);
  return decodeQrPng(await readFile(await download.path()));
}

test.describe("checkout on a phone", () => {
  test.use(iPhone13);

  test("the first action opens the payment page, save downloads the QR as a PNG of the same URL, paying there turns the checkout to paid", async ({
    page,
  }) => {
    await signUp(page, uniqueEmail("phone-buyer"));
    const order = await buy(page, "side-hustle-handbook");
    // A fresh load of the unpaid checkout (server render + hydration; the console guard watches).
    await page.reload();

    const first = firstAction(page);
    await expect(first).toHaveText(zh.checkout.pay.open);
    await expect(first).toHaveAttribute("href", order.qr.qrUrl);
    await expect(first).toHaveAttribute("data-testid", "pay-open");
    // It is on the first screen, above the QR code.
    const openBox = (await first.boundingBox())!;
    expect(openBox.y + openBox.height).toBeLessThanOrEqual(iPhone13.viewport.height);
    expect(openBox.y).toBeLessThan((await page.getByTestId("checkout-qr").boundingBox())!.y);
    await expect(page.getByTestId("pay-save")).toHaveText(zh.checkout.pay.save);
    await expect(page.getByTestId("pay-long-press")).toHaveText(zh.checkout.pay.longPress);
    await expect(page.getByTestId("sandbox-phone-note")).toContainText("APP_URL=http://");

    // The waiting state's own words.
    await expect(page).toHaveTitle(title("waiting"));
    await expect(page.getByTestId("checkout-heading")).toHaveText(states.waiting.heading);
    await expect(page.getByTestId("checkout-amount-label")).toHaveText(states.waiting.amount);
    await expect(page.getByTestId("checkout-amount")).toHaveText("¥9.90");

    expect(await saveQr(page, order.orderNo)).toBe(order.qr.qrUrl);
    // Nothing is wider than the phone.
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(1);
    await page.screenshot({ path: `${shots}/checkout-phone-waiting.png`, fullPage: true });

    // Pay on the page the first button opens (here: the sandbox's cashier).
    const opening = page.waitForEvent("popup");
    await first.click();
    const cashier = await opening;
    await expect(cashier).toHaveURL(order.qr.qrUrl);
    await cashier.getByTestId("pay-submit").click();
    await expect(cashier.getByTestId("pay-paid")).toBeVisible();
    await cashier.close();

    // The checkout polls and turns to paid, in words that say paid.
    await expect(page.getByTestId("checkout-heading")).toHaveText(states.paid.heading, {
      timeout: 10_000,
    });
    await expect(page).toHaveTitle(title("paid"));
    await expect(page.getByTestId("checkout")).toHaveAttribute("data-checkout-state", "paid");
    await expect(page.getByTestId("checkout-amount-label")).toHaveText(states.paid.amount);
    await expect(page.getByTestId("purchased-content")).toBeVisible();
    await expect(page.getByTestId("pay-actions")).toHaveCount(0);
    await expect(page.getByText(states.waiting.amount)).toHaveCount(0);
    await page.screenshot({ path: `${shots}/checkout-phone-paid.png`, fullPage: true });

    // A fresh load of the paid checkout says the same.
    await page.reload();
    await expect(page).toHaveTitle(title("paid"));
    await expect(page.getByTestId("checkout-heading")).toHaveText(states.paid.heading);
  });

  test("a membership: the first action opens Alipay's signing page, the saved QR holds the same URL, signing turns it to subscribed", async ({
    page,
  }) => {
    await signUp(page, uniqueEmail("phone-member"));
    await page.goto("/products/membership-monthly");
    await page.getByTestId("subscribe").click();
    await expect(page).toHaveURL(/\/checkout\/(XP\d{8}[0-9A-Z]{10})$/);
    const orderNo = page.url().split("/").pop()!;
    await page.reload();

    const first = firstAction(page);
    await expect(first).toHaveText(zh.checkout.pay.openSign);
    const signUrl = (await first.getAttribute("href"))!;
    expect(signUrl).toContain("method=alipay.user.agreement.page.sign");
    expect(await saveQr(page, orderNo)).toBe(signUrl);
    // The code on screen, for another phone, holds it too.
    const onScreen = (await page.getByTestId("checkout-qr").getAttribute("src"))!;
    expect(decodeQrDataUrl(onScreen)).toBe(signUrl);

    await expect(page).toHaveTitle(title("signWaiting"));
    await expect(page.getByTestId("checkout-heading")).toHaveText(states.signWaiting.heading);
    await expect(page.getByTestId("checkout-amount-label")).toHaveText(states.signWaiting.amount);
    await expect(page.getByTestId("checkout-amount")).toHaveText("¥30.00");
    await page.screenshot({
      path: `${shots}/checkout-phone-membership-waiting.png`,
      fullPage: true,
    });

    // Signing on Alipay's page (the sandbox's) brings the buyer back to the checkout.
    await first.click();
    await expect(page).toHaveURL(/\/sandbox\/alipay\/sign\?/);
    await page.getByRole("button", { name: sandboxZh.sandbox.alipay.sign.sign }).click();
    await expect(page.getByTestId("sign-done")).toBeVisible();
    await page.goto(`/checkout/${orderNo}`);
    await expect(page.getByTestId("checkout-heading")).toHaveText(states.subscribed.heading, {
      timeout: 15_000,
    });
    await expect(page).toHaveTitle(title("subscribed"));
    await expect(page.getByTestId("checkout-amount-label")).toHaveText(states.subscribed.amount);
    await expect(page.getByTestId("pay-actions")).toHaveCount(0);
    await page.screenshot({ path: `${shots}/checkout-phone-subscribed.png`, fullPage: true });
  });

  test("inside WeChat: the long-press hint stands out, and a membership says WeChat cannot open Alipay", async ({
    browser,
  }) => {
    const context = await browser.newContext({
      ...iPhone13,
      userAgent: `${iPhone13.userAgent} MicroMessenger/8.0.44(0x18002c2e) NetType/WIFI Language/zh_CN`,
    });
    const page = await context.newPage();
    await signUp(page, uniqueEmail("wechat"));
    await buy(page, "writing-that-sells");
    await expect(firstAction(page)).toHaveText(zh.checkout.pay.open);
    await expect(page.getByTestId("pay-long-press")).toHaveClass(/font-medium/);

    await page.goto("/products/membership-weekly");
    await page.getByTestId("subscribe").click();
    await expect(page.getByRole("note")).toHaveText(zh.checkout.pay.wechatAlipay);
    await context.close();
  });
});

test.describe("checkout guard", () => {
  test("an anonymous visitor is sent to sign in and comes back to the checkout", async ({
    page,
    browser,
  }) => {
    await signUp(page, uniqueEmail("owner-anon"));
    const order = await buy(page, "credits-10");
    const other = await browser.newContext();
    const visitor = await other.newPage();
    await visitor.goto(`/checkout/${order.orderNo}`);
    await expect(visitor).toHaveURL(
      new RegExp(`/signin\\?callbackUrl=%2Fcheckout%2F${order.orderNo}$`),
    );
    await other.close();
  });
});

test.describe("checkout on a desktop", () => {
  test("the QR code comes first, the phone's actions follow it", async ({ page }) => {
    await signUp(page, uniqueEmail("desktop-buyer"));
    const order = await buy(page, "credits-10");
    await page.reload();
    const qr = (await page.getByTestId("checkout-qr").boundingBox())!;
    const actions = page.getByTestId("pay-actions");
    await expect(actions).toHaveAttribute("data-device", "desktop");
    expect((await actions.boundingBox())!.y).toBeGreaterThan(qr.y + qr.height);
    await expect(page.getByTestId("pay-open")).toHaveAttribute("href", order.qr.qrUrl);
    await expect(page.getByTestId("checkout-qr").locator("xpath=..")).toContainText(
      zh.checkout.scanHint,
    );
    await page.screenshot({ path: `${shots}/checkout-desktop-waiting.png`, fullPage: true });
  });
});
