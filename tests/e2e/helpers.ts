import { randomUUID } from "node:crypto";
import { expect, type Page } from "@playwright/test";
import en from "../../messages/en.json" with { type: "json" };
import zh from "../../messages/zh-CN.json" with { type: "json" };

export { en, zh };

export const SANDBOX_ADMIN = { email: "admin@xiaopu.local", password: "xiaopu-admin" };

export function uniqueEmail(tag: string): string {
  return `${tag}-${randomUUID().slice(0, 8)}@example.com`;
}

/** Each test that fails sign-ins on purpose gets its own client address for the IP throttle. */
export function uniqueIp(): string {
  const n = () => Math.floor(Math.random() * 250) + 1;
  return `10.${n()}.${n()}.${n()}`;
}

export async function signUp(page: Page, email: string, password = "e2e-password-1") {
  await page.goto("/signup");
  await page.getByLabel(zh.auth.email).fill(email);
  await page.getByLabel(zh.auth.password).fill(password);
  await page.getByRole("button", { name: zh.auth.signUp.submit }).click();
  await expect(page).toHaveURL(/\/account$/);
}

export async function signIn(page: Page, email: string, password: string, path = "/signin") {
  await page.goto(path);
  await page.getByLabel(zh.auth.email).fill(email);
  await page.getByLabel(zh.auth.password).fill(password);
  await page.getByRole("button", { name: zh.auth.signIn.submit }).click();
}

/** The shop's messages of one language (`zh` or `en` above). */
export type ShopMessages = typeof zh;

/** Switches the shop's language with the header's switch (the NEXT_LOCALE cookie). */
export async function switchLanguage(page: Page, locale: "zh-CN" | "en") {
  if (page.url() === "about:blank") await page.goto("/");
  const header = page.getByTestId("site-header");
  await header.getByRole("button", { name: zh.locale[locale] }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", locale);
}

/** `signUp` in the page's current language (`messages`: `zh` or `en`). */
export async function signUpIn(
  page: Page,
  messages: ShopMessages,
  email: string,
  password = "e2e-password-1",
) {
  await page.goto("/signup");
  await page.getByLabel(messages.auth.email).fill(email);
  await page.getByLabel(messages.auth.password).fill(password);
  await page.getByRole("button", { name: messages.auth.signUp.submit }).click();
  await expect(page).toHaveURL(/\/account$/);
}

/**
 * Buys `slug` in the sandbox: the buy button, then the scan & pay page in a second tab (the
 * buyer's phone), until the checkout says paid. Returns the order number.
 */
export async function buyInSandbox(page: Page, slug: string, messages: ShopMessages = zh) {
  await page.goto(`/products/${slug}`);
  await page.getByRole("button", { name: messages.product.buy }).click();
  await expect(page).toHaveURL(/\/checkout\/XP\d{8}[0-9A-Z]{10}$/);
  const orderNo = new URL(page.url()).pathname.split("/").at(-1)!;
  await expect(page.getByTestId("checkout-qr")).toBeVisible();
  const payUrl = (await page.getByTestId("pay-open").getAttribute("href"))!;
  const phone = await page.context().newPage();
  await phone.goto(payUrl);
  await phone.getByTestId("pay-submit").click();
  await expect(phone.getByTestId("pay-paid")).toBeVisible();
  await phone.close();
  await expect(page.getByTestId("checkout-heading")).toHaveText(
    messages.checkout.states.paid.heading,
    { timeout: 10_000 },
  );
  return orderNo;
}
