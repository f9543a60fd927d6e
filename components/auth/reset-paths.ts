/*
 * Addresses of the password reset (issue #13), shared by the sign-in form's link, the pages and
 * their server actions. Plain values: client components, server components and "use server"
 * files all import them.
 */

export const FORGOT_PASSWORD_PATH = "/forgot-password";

/** The sign-in page's query parameter after a reset (it says so above the form). */
export const PASSWORD_RESET_PARAM = "password-reset";

/** Where a successful reset goes: sign-in, saying the password was reset. */
export const PASSWORD_RESET_DONE = `/signin?${PASSWORD_RESET_PARAM}=1`;

/** The longest address the forgot page takes from its query (sign-up's limit). */
const EMAIL_MAX = 254;

/** "Forgot your password?", carrying the address typed so far so the next page is filled in. */
export function forgotPasswordHref(email: string): string {
  const typed = email.trim();
  return typed && typed.length <= EMAIL_MAX
    ? `${FORGOT_PASSWORD_PATH}?email=${encodeURIComponent(typed)}`
    : FORGOT_PASSWORD_PATH;
}

/** The address to fill the forgot page in with, from its query: a plausible one or "". */
export function prefilledEmail(value: string | string[] | undefined): string {
  const email = typeof value === "string" ? value.trim() : "";
  return email.length <= EMAIL_MAX && /^[^\s@]+@[^\s@]+$/.test(email) ? email : "";
}
