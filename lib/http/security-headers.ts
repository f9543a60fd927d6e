/**
 * The security headers of every answer (pages, routes, server actions), set by proxy.ts.
 * Pure: the caller passes the request's nonce and the two facts that change the policy.
 *
 * - Scripts: only Next's own, which carry the per-request nonce (Next reads it from the CSP
 *   request header and applies it to its scripts); 'strict-dynamic' lets those load their chunks.
 *   React needs eval only in development (its error overlay), so 'unsafe-eval' is added there only.
 * - Styles: 'unsafe-inline' because Next and React write inline `style` attributes, which a nonce
 *   cannot cover (nonces apply to elements, not attributes); style injection cannot run script.
 * - Images: our own files and the data: URLs of the QR codes.
 * - Media: a lesson's video from any https host (the owner hosts videos elsewhere).
 * - frame-ancestors 'none': checkout, sign-in and admin can never be framed (clickjacking).
 * - HSTS only in live mode: a sandbox or dev server on plain http must not pin a browser to https.
 */
export interface SecurityHeaderOptions {
  /** Base64 value, unique per request. */
  nonce: string;
  /** NODE_ENV === "development". */
  development: boolean;
  /** PAYMENTS_MODE=live: the shop is served over https. */
  live: boolean;
}

/** Header name → value; set on the response, and the CSP on the request too (for Next). */
export type SecurityHeaders = Record<string, string> & { "Content-Security-Policy": string };

export function securityHeaders(options: SecurityHeaderOptions): SecurityHeaders {
  const headers: SecurityHeaders = {
    "Content-Security-Policy": contentSecurityPolicy(options),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
    // For browsers that predate frame-ancestors.
    "X-Frame-Options": "DENY",
  };
  if (options.live) {
    headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains";
  }
  return headers;
}

export function contentSecurityPolicy({ nonce, development, live }: SecurityHeaderOptions): string {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(nonce)) throw new Error("nonce must be base64");
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    // A course lesson may play a video the owner hosts elsewhere (lessons.video_url, https only).
    "media-src 'self' https:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];
  if (live) directives.push("upgrade-insecure-requests");
  return directives.join("; ");
}

const PERMISSIONS_POLICY = [
  "camera=()",
  "microphone=()",
  "geolocation=()",
  "payment=()",
  "usb=()",
].join(", ");

/** 128 random bits, base64: a nonce an attacker cannot guess. Web Crypto: any runtime. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}
