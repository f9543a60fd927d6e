/*
 * No imports: the header's client component uses this, and zod in a client bundle probes
 * `new Function` (its JIT check), which the Content-Security-Policy reports as a violation.
 */

const PROBE_ORIGIN = "http://callback.invalid";

/**
 * Only same-site paths may be redirect targets. Browsers drop tabs and newlines and read `\` as
 * `/`, so `/\t/evil.com` or `/\\evil.com` would leave the site: control characters, whitespace
 * and backslashes are refused outright, and the result must resolve to our own origin.
 */
export function safeCallbackPath(value: unknown, fallback = "/"): string {
  if (typeof value !== "string" || value.length > 2048) return fallback;
  if (!value.startsWith("/") || /[\u0000-\u0020\u007f\\]/.test(value)) return fallback;
  try {
    if (new URL(value, PROBE_ORIGIN).origin !== PROBE_ORIGIN) return fallback;
  } catch {
    return fallback;
  }
  return value;
}
