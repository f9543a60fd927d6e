import "server-only";
/**
 * Push `msg` is URL-encoded JSON text. Two styles were captured (spec §4.5):
 * - `form` (2021): Java `URLEncoder` style — only `A-Z a-z 0-9 . - * _` stay literal, space → `+`;
 * - `uri` (2017–18): `encodeURI`-like — `{` `"` and space are escaped, `: , / [ ]` stay literal.
 */
export type MsgEncoding = "form" | "uri";

export function encodeMsg(text: string, style: MsgEncoding): string {
  if (style === "uri") {
    return encodeURI(text).replaceAll("%5B", "[").replaceAll("%5D", "]");
  }
  return encodeURIComponent(text)
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replaceAll("%20", "+");
}

/** What a correct receiver does (PHP `urldecode`): plus → space, then percent-decode. */
export function decodeMsg(encoded: string): string {
  return decodeURIComponent(encoded.replaceAll("+", " "));
}
