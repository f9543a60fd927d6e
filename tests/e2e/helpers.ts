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
