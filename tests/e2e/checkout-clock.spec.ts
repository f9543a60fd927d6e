import { devices } from "@playwright/test";
import { expect, test, type Page } from "./fixtures";
import { signUp, uniqueEmail, zh } from "./helpers";

/*
 * The checkout counts down with the shop's clock. The sandbox clock is moved forward (as the
 * billing specs do) and the phone's own clock is wrong: the time shown must still be the order's
 * real time left, and the server's and the browser's first render must agree (the console guard
 * fails the test on a hydration warning). Moves the shared clock: runs in the "clock" project.
 */

const { defaultBrowserType: _webkit, ...iPhone13 } = devices["iPhone 13"];
const shots = "test-results/screenshots";
const states = zh.checkout.states;

interface Status {
  status: string;
  expiresAt: string;
  serverNow: string;
}

async function moveSandboxClock(page: Page, seconds: number) {
  const moved = await page.request.post("/sandbox/control/clock", {
    data: { advanceSeconds: seconds },
  });
  expect(moved.status()).toBe(200);
}

/** The countdown's mm:ss in seconds. */
async function shownSecondsLeft(page: Page): Promise<number> {
  const text = (await page.getByTestId("checkout-countdown").textContent()) ?? "";
  const match = /(\d{2}):(\d{2})/.exec(text);
  if (!match) throw new Error(`no mm:ss in "${text}"`);
  return Number(match[1]) * 60 + Number(match[2]);
}

test.describe("the checkout countdown (sandbox clock)", () => {
  test.use(iPhone13);

  test("after moving the sandbox clock, on a phone whose clock is 7 minutes fast, the countdown shows the real time left; past it the checkout says expired", async ({
    page,
  }) => {
    await signUp(page, uniqueEmail("countdown"));
    await page.goto("/products/writing-that-sells");
    await page.getByRole("button", { name: zh.product.buy }).click();
    await expect(page).toHaveURL(/\/checkout\/XP\d{8}[0-9A-Z]{10}$/);
    const orderNo = page.url().split("/").pop()!;

    await moveSandboxClock(page, 5 * 60);
    await page.clock.install({ time: new Date(Date.now() + 7 * 60_000) });
    // A fresh load: the server renders, the phone hydrates, with its wrong clock.
    await page.reload();
    const countdown = page.getByTestId("checkout-countdown");
    const firstText = await countdown.textContent();
    // Counted in the browser at least once (the text moves every second), with a status answer in.
    await expect(countdown).not.toHaveText(firstText!);
    await page.waitForResponse((r) => r.url().includes(`/api/orders/${orderNo}/status`));
    await expect(countdown).not.toHaveText((await countdown.textContent())!);

    const shown = await shownSecondsLeft(page);
    const status = (await (
      await page.request.get(`/api/orders/${orderNo}/status`)
    ).json()) as Status;
    const real = Math.floor((Date.parse(status.expiresAt) - Date.parse(status.serverNow)) / 1000);
    // 15 minutes to live, 5 of them skipped by the sandbox clock.
    expect(real).toBeGreaterThan(9 * 60);
    expect(real).toBeLessThanOrEqual(10 * 60);
    expect(Math.abs(shown - real), `shown ${shown} s, real ${real} s`).toBeLessThanOrEqual(2);
    await page.screenshot({ path: `${shots}/checkout-phone-countdown.png`, fullPage: true });

    // Past the time to live: the status poll closes the order and the checkout says so.
    await moveSandboxClock(page, 11 * 60);
    await expect(page.getByTestId("checkout-heading")).toHaveText(states.expired.heading, {
      timeout: 15_000,
    });
    await expect(page).toHaveTitle(`${states.expired.title} · ${zh.meta.title}`);
    await expect(page.getByTestId("checkout-amount-label")).toHaveText(states.expired.amount);
    await expect(page.getByRole("link", { name: zh.checkout.startAgain })).toBeVisible();
    await expect(page.getByTestId("checkout-countdown")).toHaveCount(0);
    await page.screenshot({ path: `${shots}/checkout-phone-expired.png`, fullPage: true });
  });
});
