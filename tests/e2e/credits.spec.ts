import credits from "../../messages/credits.zh-CN.json" with { type: "json" };
import { expect, test, type Page } from "./fixtures";
import { SANDBOX_ADMIN, signIn, signUp, uniqueEmail, zh } from "./helpers";

/*
 * Issue #12, credits end to end in the sandbox: the buyer pays the 10-credit pack with a Youzan
 * QR, sees "点数 10" in the account menu; the owner records one consultation with a note on the
 * buyer's admin page; the buyer sees 9 left and the owner's note in their library.
 */

const fill = (message: string, values: Record<string, string | number>) =>
  message.replace(/\{(\w+)\}/g, (_, key: string) => String(values[key]));

async function menuCredits(page: Page) {
  await page.goto("/");
  await page.getByTestId("account-menu").locator("summary").click();
  return page.getByTestId("account-menu-credits");
}

test("buy the 10-credit pack, the owner records a use, the buyer sees 9 and the note", async ({
  page,
  context,
  browser,
}) => {
  // A purchase, an admin session and two pages of the buyer's: more than the default 30 s on a
  // busy CI machine.
  test.setTimeout(90_000);
  const email = uniqueEmail("credits");
  await signUp(page, email);
  // No credits yet: the menu shows no balance, but the library link.
  await page.getByTestId("account-menu").locator("summary").click();
  await expect(page.getByTestId("account-menu-library")).toHaveText(credits.nav.library);
  await expect(page.getByTestId("account-menu-credits")).toHaveCount(0);

  await page.goto("/products/credits-10");
  await page.getByRole("button", { name: zh.product.buy }).click();
  await expect(page).toHaveURL(/\/checkout\/XP\d{8}[0-9A-Z]{10}$/);
  const payUrl = await page.getByTestId("pay-open").getAttribute("href");
  const phone = await context.newPage();
  await phone.goto(payUrl!);
  await phone.getByTestId("pay-submit").click();
  await expect(phone.getByTestId("pay-paid")).toBeVisible();
  await phone.close();
  await expect(page.getByTestId("checkout-heading")).toHaveText(zh.checkout.states.paid.heading, {
    timeout: 10_000,
  });
  await expect(await menuCredits(page)).toHaveText(fill(credits.nav.credits, { balance: 10 }));

  // The owner, on the buyer's admin page.
  const owner = await browser.newContext();
  const admin = await owner.newPage();
  await signIn(
    admin,
    SANDBOX_ADMIN.email,
    SANDBOX_ADMIN.password,
    `/signin?callbackUrl=${encodeURIComponent(`/admin/users?q=${email}`)}`,
  );
  // The list renders a table row and a card (for phones): the same link twice.
  const userHref = await admin
    .getByTestId("user-link")
    .filter({ hasText: email })
    .first()
    .getAttribute("href");
  await admin.goto(userHref!);
  await expect(admin.getByTestId("user-email")).toHaveText(email);
  const panel = admin.getByTestId("user-credits");
  await expect(panel.getByTestId("user-credits-balance")).toHaveText(
    fill(credits.admin.credits.balanceValue, { balance: 10 }),
  );
  const note = "12 月 3 日 一对一咨询：简历修改";
  // A note is required: the browser says so before anything is sent.
  await panel.getByTestId("user-credits-submit").click();
  await expect(panel.getByTestId("user-credits-done")).toHaveCount(0);
  await panel.getByLabel(credits.admin.credits.noteLabel).fill(note);
  await panel.getByTestId("user-credits-submit").click();
  await expect(panel.getByTestId("user-credits-done")).toHaveText(
    fill(credits.admin.credits.recorded, { balance: 9 }),
  );
  await expect(panel.getByTestId("user-credits-balance")).toHaveText(
    fill(credits.admin.credits.balanceValue, { balance: 9 }),
  );
  const use = panel.locator('[data-testid="user-credit-entry"][data-kind="use"]');
  await expect(use).toContainText(note);
  await expect(use).toContainText(SANDBOX_ADMIN.email);
  // Asking for more than is left is refused with the balance, and nothing changes.
  await panel.getByLabel(credits.admin.credits.amountLabel).fill("10");
  await panel.getByLabel(credits.admin.credits.noteLabel).fill("十次咨询");
  await panel.getByTestId("user-credits-submit").click();
  await expect(panel.getByTestId("user-credits-error")).toHaveText(
    fill(credits.admin.credits.errors.insufficient_credits, { balance: 9 }),
  );
  await expect(panel.getByTestId("user-credit-entry")).toHaveCount(2);
  await owner.close();

  // The buyer: the menu and the library.
  await expect(await menuCredits(page)).toHaveText(fill(credits.nav.credits, { balance: 9 }));
  await page.getByTestId("account-menu-credits").click();
  await expect(page).toHaveURL(/\/account\/library#credits$/);
  const mine = page.getByTestId("credit-balance-panel");
  await expect(mine.getByTestId("credit-balance")).toHaveText(
    fill(credits.credits.balanceValue, { balance: 9 }),
  );
  await expect(mine.getByTestId("credit-entry")).toHaveCount(2);
  await expect(mine.getByTestId("credit-entry-note")).toContainText(note);
  // The buyer never sees who recorded it.
  await expect(mine).not.toContainText(SANDBOX_ADMIN.email);
});
