import { getLocale, getTranslations } from "next-intl/server";
import { setLocaleAction } from "@/i18n/actions";
import { LOCALES } from "@/i18n/locales";

/** Works without JavaScript: a form whose buttons post the chosen language. */
export async function LocaleSwitcher() {
  const [t, tNav, current] = await Promise.all([
    getTranslations("locale"),
    getTranslations("nav"),
    getLocale(),
  ]);
  return (
    <form
      action={setLocaleAction}
      aria-label={tNav("language")}
      className="flex rounded-lg border border-stone-200 p-0.5 text-xs"
    >
      {LOCALES.map((locale) => (
        <button
          key={locale}
          type="submit"
          name="locale"
          value={locale}
          aria-pressed={locale === current}
          lang={locale}
          className="rounded-md px-2 py-1 text-stone-600 aria-pressed:bg-stone-800 aria-pressed:text-white"
        >
          {t(locale)}
        </button>
      ))}
    </form>
  );
}
