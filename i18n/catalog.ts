import type { Locale } from "./locales";

export type Messages = { [key: string]: string | Messages };

/**
 * The messages files merged for a locale, in order: `messages/<locale>.json` (the shop), then
 * `messages/<part>.<locale>.json` for each part below. The parts keep the payment sandboxes'
 * pages and each admin area in their own files; a part may add keys under a namespace another
 * file already has (`admin.codes.*`), never replace a key another file defines (tested).
 */
export const MESSAGE_PARTS = [
  "sandbox",
  "admin-codes",
  "admin-subscriptions",
  "admin-orders",
  "admin-overview",
  "admin-catalog",
  "delivery",
  "admin-content",
  "credits",
  "notices",
  "admin-notices",
] as const;

/** Deep merge of messages trees; a key defined twice keeps the first file's value. */
export function mergeMessages(trees: readonly Messages[]): Messages {
  const out: Messages = {};
  for (const tree of trees) mergeInto(out, tree);
  return out;
}

function mergeInto(target: Messages, source: Messages): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (existing === undefined) {
      target[key] = typeof value === "string" ? value : mergeMessages([value]);
    } else if (typeof existing !== "string" && typeof value !== "string") {
      mergeInto(existing, value);
    }
  }
}

/** Every file of a locale, the shop's first. */
export async function loadMessages(locale: Locale): Promise<Messages> {
  const files = (await Promise.all([
    import(`../messages/${locale}.json`),
    ...MESSAGE_PARTS.map((part) => import(`../messages/${part}.${locale}.json`)),
  ])) as { default: Messages }[];
  return mergeMessages(files.map((file) => file.default));
}
