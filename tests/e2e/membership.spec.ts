import { expect, test, type APIRequestContext, type Page } from "./fixtures";
import sandboxZh from "../../messages/sandbox.zh-CN.json" with { type: "json" };
import { signUp, uniqueEmail, zh } from "./helpers";

/*
 * A buyer subscribes to the weekly plan in the browser on a phone: the checkout shows the terms
 * and the sign link (QR on a desktop), the sandbox's "sign the agreement" page plays Alipay, the
 * checkout turns to "subscribed", and /account/membership shows the week and the next charge.
 */

const PHONE = { width: 390, height: 844 };
const shots = "test-results/screenshots";

/** The Asia/Shanghai date `days` after the sandbox's virtual now. */
async function shanghaiDateIn(request: APIRequestContext, days: number): Promise<string> {
  const clock = (await (await request.get("/sandbox/control/clock")).json()) as { now: string };
  const at = new Date(new Date(clock.now).getTime() + days * 86_400_000 + 8 * 3_600_000);
  return at.toISOString().slice(0, 10);
}

async function subscribe(page: Page, slug: string): Promise<string> {
  await page.goto(`/products/${slug}`);
  await page.screenshot({ path: `${shots}/product-${slug}-phone.png`, fullPage: true });
  await page.getByTestId("subscribe").click();
  await expect(page).toHaveURL(/\/checkout\/XP\d{8}[0-9A-Z]{10}$/);
  await expect(page.getByTestId("agreement-terms")).toBeVisible();
  const signUrl = await page.getByTestId("pay-open").getAttribute("href");
  expect(signUrl).toContain("/sandbox/alipay/gateway.do?");
  expect(signUrl).toContain("method=alipay.user.agreement.page.sign");
  return signUrl!;
}

test.describe("membership with Alipay periodic deduction (sandbox)", () => {
  test("subscribe weekly on a phone, sign on the sandbox page, see subscribed and the next charge a week on", async ({
    page,
    context,
  }) => {
    await page.setViewportSize(PHONE);
    await signUp(page, uniqueEmail("member"));
    const signUrl = await subscribe(page, "membership-weekly");
    await expect(page.getByTestId("checkout-amount")).toHaveText("¥9.90");
    await expect(page).toHaveTitle(`${zh.checkout.states.signWaiting.title} · ${zh.meta.title}`);
    await expect(page.getByTestId("checkout-heading")).toHaveText(
      zh.checkout.states.signWaiting.heading,
    );
    await expect(page.getByTestId("checkout-amount-label")).toHaveText(
      zh.checkout.states.signWaiting.amount,
    );
    await expect(page.getByTestId("agreement-terms")).toContainText(
      zh.membership.termsPeriodDays.replace("{days}", "7"),
    );
    await page.screenshot({ path: `${shots}/membership-checkout-phone.png`, fullPage: true });

    // The buyer's Alipay: the sign URL leads to the agreement page.
    const alipay = await context.newPage();
    await alipay.setViewportSize(PHONE);
    await alipay.goto(signUrl);
    await expect(alipay).toHaveURL(/\/sandbox\/alipay\/sign\?/);
    await expect(alipay.getByTestId("sign-form")).toContainText("9.90");
    await alipay.screenshot({ path: `${shots}/alipay-sign-phone.png`, fullPage: true });
    await alipay.getByRole("button", { name: sandboxZh.sandbox.alipay.sign.sign }).click();
    await expect(alipay.getByTestId("sign-done")).toBeVisible();

    // The checkout polls and turns to "subscribed" once period 1 is paid.
    await expect(page.getByTestId("checkout-heading")).toHaveText(
      zh.checkout.states.subscribed.heading,
      { timeout: 15_000 },
    );
    await expect(page).toHaveTitle(`${zh.checkout.states.subscribed.title} · ${zh.meta.title}`);
    await expect(page.getByTestId("checkout-amount-label")).toHaveText(
      zh.checkout.states.subscribed.amount,
    );
    // The day money next leaves: Alipay's plan says day 7, its window opens on day 2, and a
    // weekly period is first tried three days (NOTICE_REMIND_DAYS) after it began.
    const nextCharge = await shanghaiDateIn(page.request, 3);
    await expect(page.getByTestId("checkout-next-charge")).toBeVisible();
    await page.screenshot({ path: `${shots}/membership-subscribed-phone.png`, fullPage: true });

    await page.goto("/account/membership");
    const status = page.getByTestId("membership-status");
    await expect(status).toHaveAttribute("data-active", "true");
    await expect(page.getByTestId("membership-days-left")).toHaveText(
      zh.membership.page.daysLeft.replace("{days}", "7"),
    );
    await expect(page.getByTestId("membership-next-charge")).toHaveAttribute(
      "data-date",
      nextCharge,
    );
    await expect(page.getByTestId("membership-next-charge")).toContainText("¥9.90");
    await expect(page.getByTestId("membership-auto-renew")).toHaveText(
      zh.membership.page.autoRenewOn,
    );
    await expect(page.getByTestId("membership-period")).toHaveCount(1);
    await expect(page.getByTestId("members-content")).toBeVisible();
    await page.screenshot({ path: `${shots}/membership-phone.png`, fullPage: true });

    // Cancel auto-renewal: asked to confirm, then off, with the paid week kept.
    await page.getByTestId("cancel-renewal").click();
    await page.getByTestId("cancel-confirm").click();
    await expect(page).toHaveURL(/\/account\/membership\?cancelled=1$/);
    await expect(page.getByTestId("cancel-done")).toHaveText(zh.membership.page.cancelDone);
    await expect(page.getByTestId("membership-auto-renew")).toHaveText(
      zh.membership.page.autoRenewOff,
    );
    await expect(page.getByTestId("membership-days-left")).toHaveText(
      zh.membership.page.daysLeft.replace("{days}", "7"),
    );
    await expect(page.getByTestId("membership-next-charge")).toHaveCount(0);
    await page.screenshot({ path: `${shots}/membership-cancelled-phone.png`, fullPage: true });
  });

  test("from the app: pay and sign on the sandbox's Alipay app page, then unsign in the wallet; the paid month stays", async ({
    page,
  }) => {
    await page.setViewportSize(PHONE);
    await signUp(page, uniqueEmail("app-member"));
    const created = await page.request.post("/api/alipay/app-pay", {
      data: { productSlug: "membership-monthly" },
    });
    expect(created.status()).toBe(201);
    const { orderStr } = (await created.json()) as { orderNo: string; orderStr: string };

    // The sandbox plays the Alipay app for the order string.
    await page.goto(`/sandbox/alipay/app?orderStr=${encodeURIComponent(orderStr)}`);
    await expect(page.getByTestId("app-form")).toContainText("¥30.00");
    const terms = (await page.getByTestId("alipay-terms").textContent()) ?? "";
    const externalNo = /XA\d{8}[0-9A-Z]{12}/.exec(terms)?.[0];
    expect(externalNo).toBeDefined();
    await page.screenshot({ path: `${shots}/alipay-app-phone.png`, fullPage: true });
    await page.getByRole("button", { name: sandboxZh.sandbox.alipay.app.pay }).click();
    const result = page.getByTestId("app-result");
    await expect(result).toContainText(sandboxZh.sandbox.alipay.app.status["9000"]);
    const agreementNo = (await result.locator(".font-mono").last().textContent())!.trim();
    expect(agreementNo).toMatch(/^\d{20}$/);

    // The trade and sign notifications arrive in the background.
    await page.goto("/account/membership");
    await expect(async () => {
      await page.reload();
      await expect(page.getByTestId("membership-auto-renew")).toHaveText(
        zh.membership.page.autoRenewOn,
        { timeout: 500 },
      );
    }).toPass({ timeout: 15_000 });
    const daysLeft = zh.membership.page.daysLeft.replace("{days}", "30");
    await expect(page.getByTestId("membership-days-left")).toHaveText(daysLeft);
    // A month on, less Alipay's 5-day early window: the day the renewal is charged.
    await expect(page.getByTestId("membership-next-charge")).toHaveAttribute(
      "data-date",
      await shanghaiDateIn(page.request, 25),
    );

    // The buyer unsigns in the Alipay wallet: the shop hears it on its app gateway.
    await page.goto("/sandbox/alipay/wallet");
    const card = page.getByTestId("wallet-agreement").filter({ hasText: externalNo });
    await expect(card).toHaveCount(1);
    await page.screenshot({ path: `${shots}/alipay-wallet-phone.png`, fullPage: true });
    await card.getByTestId("wallet-unsign").click();
    await expect(card.getByTestId("wallet-unsign")).toHaveCount(0);

    await page.goto("/account/membership");
    await expect(async () => {
      await page.reload();
      await expect(page.getByTestId("membership-auto-renew")).toHaveText(
        zh.membership.page.autoRenewOff,
        { timeout: 500 },
      );
    }).toPass({ timeout: 15_000 });
    await expect(page.getByTestId("membership-days-left")).toHaveText(daysLeft);
    await expect(page.getByTestId("membership-status")).toHaveAttribute("data-active", "true");
  });

  test("the membership APIs answer bad input with a 4xx and a reason, never a 500", async ({
    page,
  }) => {
    await signUp(page, uniqueEmail("probe"));
    const bodies: [string, string | undefined][] = [
      ["{broken", "application/json"],
      ["{}", "application/json"],
      ['{"productSlug":1}', "application/json"],
      ['{"productSlug":"../../etc/passwd"}', "application/json"],
      ['{"productSlug":"membership-weekly","extra":true}', "application/json"],
      ['{"productSlug":"side-hustle-handbook"}', "application/json"],
      ['{"productSlug":"no-such-plan"}', "application/json"],
      ["productSlug=membership-weekly", "application/x-www-form-urlencoded"],
      ["x".repeat(100_000), "application/json"],
    ];
    for (const path of ["/api/subscriptions", "/api/alipay/app-pay"]) {
      for (const [data, contentType] of bodies) {
        const response = await page.request.post(path, {
          data,
          headers: contentType ? { "content-type": contentType } : {},
        });
        expect(response.status(), `${path} ${data.slice(0, 40)}`).toBeGreaterThanOrEqual(400);
        expect(response.status(), `${path} ${data.slice(0, 40)}`).toBeLessThan(500);
        const body = (await response.json()) as { error?: { code?: string; message?: string } };
        expect(body.error?.message, `${path} ${data.slice(0, 40)}`).toBeTruthy();
      }
    }
    // Nothing to cancel yet: a 404 with a reason.
    const cancel = await page.request.post("/api/account/membership/cancel");
    expect(cancel.status()).toBe(404);

    // A good body: 201 with what the checkout needs; asking again reuses the same order.
    const first = await page.request.post("/api/subscriptions", {
      data: { productSlug: "membership-weekly" },
    });
    expect(first.status()).toBe(201);
    const started = (await first.json()) as Record<string, string>;
    expect(started).toMatchObject({
      orderNo: expect.stringMatching(/^XP\d{8}[0-9A-Z]{10}$/) as unknown,
      agreementId: expect.stringMatching(/^agr_/) as unknown,
      checkoutUrl: expect.stringMatching(
        new RegExp(`^http.*/checkout/${started.orderNo}$`),
      ) as unknown,
    });
    expect(started.signUrl).toContain("method=alipay.user.agreement.page.sign");
    const again = await page.request.post("/api/subscriptions", {
      data: { productSlug: "membership-weekly" },
    });
    expect(((await again.json()) as Record<string, string>).orderNo).toBe(started.orderNo);
  });
});
