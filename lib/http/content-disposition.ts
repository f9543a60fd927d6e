/*
 * `Content-Disposition: attachment` for a download whose name the owner typed (often Chinese:
 * `一个人的副业手册.pdf`). RFC 6266 §4.3: `filename*` (RFC 5987/8187, UTF-8, percent-encoded)
 * carries the real name and every current browser prefers it; `filename` is a plain-ASCII
 * fallback for the rest. Nothing the owner typed can break out of the header: control characters
 * (CR/LF included) are dropped before anything else, the fallback has no quote, backslash or
 * percent sign, and the encoded form contains only RFC 5987 attr-chars and `%XX`.
 */

/** C0 and C1 controls, DEL, line/paragraph separators and bidi overrides (`gpj.exe` spoofing). */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f]/g;
/** A lone surrogate half: `encodeURIComponent` would throw on it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/** An extension the fallback keeps: short, ASCII letters and digits. */
const EXTENSION = /\.[A-Za-z0-9]{1,16}$/;
/** The longest name sent, in code points (the extension is kept when shortening). */
const MAX_LENGTH = 180;

/** `attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded>`. */
export function attachmentDisposition(fileName: string): string {
  const name = cleanName(fileName);
  return `attachment; filename="${asciiFallback(name)}"; filename*=UTF-8''${encodeRfc5987(name)}`;
}

/**
 * The name without controls or path separators (a browser would rewrite them anyway; a saved
 * file never lands outside the downloads folder), NFC-normalised, trimmed and shortened.
 */
function cleanName(fileName: string): string {
  const cleaned = fileName
    .replace(LONE_SURROGATE, "\ufffd")
    .normalize("NFC")
    .replace(UNSAFE, "")
    .replace(/[/\\]/g, "_")
    .trim()
    .replace(/^\.+/, "");
  const points = [...cleaned];
  if (points.length === 0) return "download";
  if (points.length <= MAX_LENGTH) return cleaned;
  const extension = EXTENSION.exec(cleaned)?.[0] ?? "";
  return points.slice(0, MAX_LENGTH - extension.length).join("") + extension;
}

/**
 * Printable ASCII only, without `"`, `\` and `%` (RFC 6266 appendix D: some agents
 * percent-decode `filename`); every run of anything else becomes one `_`. A name with no ASCII
 * left (`一个人的副业手册.pdf`) falls back to `download.pdf`: its extension still opens it.
 */
function asciiFallback(name: string): string {
  const extension = EXTENSION.exec(name)?.[0] ?? "";
  const base = name
    .slice(0, name.length - extension.length)
    .replace(/[^\x20-\x7e]|["\\%]/g, "_")
    .replace(/_+/g, "_")
    .replace(/^[_\s.]+|[_\s]+$/g, "");
  return `${/[A-Za-z0-9]/.test(base) ? base : "download"}${extension}`;
}

/**
 * RFC 5987 `value-chars`: attr-char stays, everything else is `%XX` of its UTF-8 bytes.
 * encodeURIComponent leaves `'()*` alone, which are not attr-chars (`'` would end the charset
 * part of the value).
 */
function encodeRfc5987(name: string): string {
  return encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
