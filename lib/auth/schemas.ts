import { z } from "zod";

/*
 * Messages are stable codes (`field.problem`); the UI translates them (messages/*.json under
 * `fieldErrors`) and the JSON API returns them as they are.
 */

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

const email = z
  .string({ error: "email.required" })
  .trim()
  .min(1, "email.required")
  .max(254, "email.invalid")
  .pipe(z.email({ error: "email.invalid" }))
  .transform((value) => value.toLowerCase());

export const signUpSchema = z.object({
  email,
  password: z
    .string({ error: "password.required" })
    .min(PASSWORD_MIN, "password.too_short")
    .max(PASSWORD_MAX, "password.too_long"),
  name: z
    .string({ error: "name.invalid" })
    .trim()
    .max(50, "name.too_long")
    .optional()
    .transform((value) => (value ? value : undefined)),
});

export type SignUpInput = z.infer<typeof signUpSchema>;

export const signInSchema = z.object({
  email,
  password: z
    .string({ error: "password.required" })
    .min(1, "password.required")
    .max(PASSWORD_MAX, "password.too_long"),
});

export type SignInInput = z.infer<typeof signInSchema>;

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
