import type { Messages } from "./catalog";

/*
 * What the browser gets of the messages: only the namespaces that client components translate
 * with (`useTranslations` in a "use client" module). Server components translate on the server
 * and need none of it; every other namespace (the admin's, the sandboxes', notices, delivery)
 * would be inlined in every page's HTML for nothing (issue #14, page weight). The admin layout
 * adds the admin's namespace for its own pages. `client-messages.test.ts` reads every client
 * module and fails when one translates outside these lists.
 */

/** Top-level namespaces the shop's client components use (root layout). */
export const SHOP_CLIENT_NAMESPACES = [
  "nav",
  "product",
  "checkout",
  "membership",
  "account",
  "auth",
  "fieldErrors",
  "error",
] as const;

/** The admin pages' client components also translate under `admin` (admin layout). */
export const ADMIN_CLIENT_NAMESPACES = [...SHOP_CLIENT_NAMESPACES, "admin"] as const;

/** The messages tree cut to the given top-level namespaces (absent ones are skipped). */
export function pickNamespaces(messages: Messages, namespaces: readonly string[]): Messages {
  const picked: Messages = {};
  for (const namespace of namespaces) {
    const value = messages[namespace];
    if (value !== undefined) picked[namespace] = value;
  }
  return picked;
}
