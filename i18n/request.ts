import { cookies } from "next/headers";
import { getRequestConfig } from "next-intl/server";
import { LOCALE_COOKIE, toLocale, type Locale } from "./locales";

type Messages = Record<string, unknown>;

async function load(locale: Locale): Promise<Messages> {
  const [shop, sandbox] = (await Promise.all([
    import(`../messages/${locale}.json`),
    // The payment sandboxes' pages keep their strings apart from the shop's.
    import(`../messages/sandbox.${locale}.json`),
  ])) as [{ default: Messages }, { default: Messages }];
  return { ...shop.default, ...sandbox.default };
}

// Simplified Chinese unless the buyer chose English with the language switch.
export default getRequestConfig(async () => {
  const locale = toLocale((await cookies()).get(LOCALE_COOKIE)?.value);
  return { locale, messages: await load(locale), timeZone: "Asia/Shanghai" };
});
