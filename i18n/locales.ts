export const LOCALES = ["zh-CN", "en"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "zh-CN";
/** The cookie the language switch sets; next-intl's conventional name. */
export const LOCALE_COOKIE = "NEXT_LOCALE";

export function toLocale(value: unknown): Locale {
  return LOCALES.includes(value as Locale) ? (value as Locale) : DEFAULT_LOCALE;
}

/** Picks the column of the current language from a `{ nameZh, nameEn }`-style row. */
export function pick<T>(locale: Locale, zh: T, en: T): T {
  return locale === "en" ? en : zh;
}
