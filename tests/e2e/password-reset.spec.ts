import { mkdirSync } from "node:fs";
import type { APIRequestContext, Browser, Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { signIn, signUp, uniqueEmail, uniqueIp, zh } from "./helpers";

/*
 * Issue #13, password reset, end to end on a phone (390×844): "忘记密码？" on the sign-in form,
 * the request, the mail read from the sandbox mailbox, the link, the new password; every other
 * session of the buyer signed out; an unknown address answered the same and sent nothing; a used
 * and an expired link refused. The expired link moves the shared sandbox clock 31 minutes
 * forward (it never moves back): this spec runs in the serial "clock" project.
 */

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
const SHOTS = "test-results/screenshots";
test.use(PHONE);

const OLD = "old-password-1";
const NEW = "new-password-1";
const texts = zh.auth.reset;

interface MailMessage {
  id: string;
  to: string;
  subject: string;
  text: string;
  receivedAt: string;
}

/** The sandbox mailbox's messages to `to`, newest first. */
async function mailTo(request: APIRequestContext, to: string): Promise<MailMessage[]> {
  const response = await request.get(`/sandbox/mail/control/messages?to=${encodeURIComponent(to)}`);
  expect(response.status()).toBe(200);
  return ((await response.json()) as { messages: MailMessage[] }).messages;
}

/** The reset link of the newest mail to `to`, once it has arrived (the sender runs after the request). */
async function resetLinkMailedTo(request: APIRequestContext, to: string): Promise<string> {
  let link = "";
  await expect
    .poll(
      async () => {
        const [newest] = await mailTo(request, to);
        link =
          /https?:\/\/\S+\/reset-password\?token=[A-Za-z0-9_-]{43}/.exec(newest?.text ?? "")?.[0] ??
          "";
        return link;
      },
      { message: `a reset mail to ${to}`, timeout: 20_000 },
    )
    .not.toBe("");
  const url = new URL(link);
  return `${url.pathname}${url.search}`;
}

/** A device of its own (cookies, client address) for the same buyer. */
async function phone(browser: Browser): Promise<Page> {
  const context = await browser.newContext({
    ...PHONE,
    extraHTTPHeaders: { "x-forwarded-for": uniqueIp() },
  });
  return context.newPage();
}

async function askForReset(page: Page, email: string) {
  await page.goto("/forgot-password");
  await page.getByLabel(zh.auth.email).fill(email);
  await page.getByRole("button", { name: texts.request.submit }).click();
  await expect(page.getByTestId("reset-requested")).toBeVisible();
}

const sentText = (email: string) => texts.request.sent.replace("{email}", email);

async function moveSandboxClock(page: Page, seconds: number) {
  const moved = await page.request.post("/sandbox/control/clock", {
    data: { advanceSeconds: seconds },
  });
  expect(moved.status()).toBe(200);
}

test.beforeAll(() => mkdirSync(SHOTS, { recursive: true }));

test.describe("password reset by mail", () => {
  test("a buyer who forgot the password resets it from the sign-in page; every other session is signed out", async ({
    page,
    browser,
  }) => {
    const email = uniqueEmail("reset");
    await signUp(page, email, OLD);
    await page.getByTestId("account-menu").locator("summary").click();
    await page.getByRole("button", { name: zh.nav.signOut }).click();
    await expect(page.getByRole("link", { name: zh.nav.signIn })).toBeVisible();

    // The buyer is signed in on another device before the reset.
    const other = await phone(browser);
    await signIn(other, email, OLD);
    await expect(other).toHaveURL(/\/account$/);

    // Sign-in: the address typed so far goes with "忘记密码？".
    await page.goto("/signin");
    await page.getByLabel(zh.auth.email).fill(email);
    await page.getByRole("link", { name: zh.auth.signIn.forgot }).click();
    await expect(page).toHaveURL(/\/forgot-password\?email=/);
    await expect(page.getByRole("heading", { name: texts.request.title })).toBeVisible();
    await expect(page.getByLabel(zh.auth.email)).toHaveValue(email);
    await page.screenshot({ path: `${SHOTS}/password-reset-forgot.png`, fullPage: true });

    await page.getByRole("button", { name: texts.request.submit }).click();
    const requested = page.getByTestId("reset-requested");
    await expect(requested.getByRole("status")).toContainText(sentText(email));
    await page.screenshot({ path: `${SHOTS}/password-reset-requested.png`, fullPage: true });

    const link = await resetLinkMailedTo(page.request, email);
    await page.goto(link);
    await expect(page.getByRole("heading", { name: texts.set.title })).toBeVisible();
    await expect(page.locator('meta[name="referrer"]').first()).toHaveAttribute(
      "content",
      "strict-origin",
    );
    const form = page.getByTestId("reset-form");
    await expect(form).toContainText(email);

    // The two entries must match.
    await form.getByLabel(texts.set.new, { exact: true }).fill(NEW);
    await form.getByLabel(texts.set.confirm).fill("not-the-same-1");
    await form.getByRole("button", { name: texts.set.submit }).click();
    await expect(form.getByText(zh.fieldErrors.password.mismatch)).toBeVisible();
    await form.getByLabel(texts.set.new, { exact: true }).fill(NEW);
    await form.getByLabel(texts.set.confirm).fill(NEW);
    await page.screenshot({ path: `${SHOTS}/password-reset-form.png`, fullPage: true });
    await form.getByRole("button", { name: texts.set.submit }).click();

    await expect(page).toHaveURL(/\/signin\?password-reset=1$/);
    await expect(page.getByTestId("password-reset-done")).toHaveText(texts.done);
    await page.screenshot({ path: `${SHOTS}/password-reset-done.png`, fullPage: true });

    // The other device's session ended with the reset.
    await other.goto("/account");
    await expect(other).toHaveURL(/\/signin\?callbackUrl=/);
    await other.context().close();

    // The old password no longer works; the new one does.
    await signIn(page, email, OLD);
    await expect(page.getByText(zh.auth.errors.invalid)).toBeVisible();
    await signIn(page, email, NEW);
    await expect(page).toHaveURL(/\/account$/);

    // The link worked once.
    await page.goto(link);
    const refused = page.getByTestId("reset-refused");
    await expect(refused).toHaveAttribute("data-reason", "used");
    await expect(refused.getByRole("alert")).toHaveText(texts.refused.used);
    await refused.getByRole("link", { name: texts.refused.askAgain }).click();
    await expect(page).toHaveURL(/\/forgot-password$/);
  });

  test("an unknown address gets the same page, and no mail", async ({ page }) => {
    const stranger = uniqueEmail("nobody");
    await askForReset(page, stranger);
    const answer = page.getByTestId("reset-requested");
    await expect(answer.getByRole("status")).toContainText(sentText(stranger));
    const strangerAnswer = await answer.innerText();

    // A known address asked after it: once its mail is there, the sender has run past the
    // stranger's request too.
    const known = uniqueEmail("known");
    const buyer = await phone(page.context().browser()!);
    await signUp(buyer, known, OLD);
    await buyer.context().close();
    await askForReset(page, known);
    const knownAnswer = await page.getByTestId("reset-requested").innerText();
    expect(knownAnswer.replace(known, "<email>")).toBe(strangerAnswer.replace(stranger, "<email>"));
    await resetLinkMailedTo(page.request, known);
    expect(await mailTo(page.request, stranger)).toEqual([]);
  });

  test("without JavaScript both forms work (a plain form post, under the page's referrer policy)", async ({
    page,
    browser,
  }) => {
    const email = uniqueEmail("nojs");
    await signUp(page, email, OLD);
    const context = await browser.newContext({
      ...PHONE,
      javaScriptEnabled: false,
      extraHTTPHeaders: { "x-forwarded-for": uniqueIp() },
    });
    const plain = await context.newPage();
    await askForReset(plain, email);
    await plain.goto(await resetLinkMailedTo(plain.request, email));
    const form = plain.getByTestId("reset-form");
    await form.getByLabel(texts.set.new, { exact: true }).fill(NEW);
    await form.getByLabel(texts.set.confirm).fill(NEW);
    await form.getByRole("button", { name: texts.set.submit }).click();
    await expect(plain).toHaveURL(/\/signin\?password-reset=1$/);
    await expect(plain.getByTestId("password-reset-done")).toHaveText(texts.done);
    await context.close();
  });

  test("a link is refused past its 30 minutes on the shop's clock, and a made-up one too", async ({
    page,
  }) => {
    const email = uniqueEmail("expired");
    await signUp(page, email, OLD);
    await askForReset(page, email);
    const link = await resetLinkMailedTo(page.request, email);
    await page.goto(link);
    await expect(page.getByTestId("reset-form")).toBeVisible();

    // Moves the shared clock forward for good (the clock project runs after every other spec).
    await moveSandboxClock(page, 31 * 60);
    await page.goto(link);
    const refused = page.getByTestId("reset-refused");
    await expect(refused).toHaveAttribute("data-reason", "expired");
    await expect(refused.getByRole("alert")).toHaveText(texts.refused.expired);
    await expect(page.getByRole("heading", { name: texts.refused.title })).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/password-reset-expired.png`, fullPage: true });

    await page.goto("/reset-password?token=not-a-token");
    await expect(page.getByTestId("reset-refused")).toHaveAttribute("data-reason", "invalid");
    await page.goto("/reset-password");
    await expect(page.getByTestId("reset-refused")).toHaveAttribute("data-reason", "invalid");

    // The old password still works: nothing was reset.
    await page.context().clearCookies();
    await signIn(page, email, OLD);
    await expect(page).toHaveURL(/\/account$/);
  });
});
