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

export const NAME_MAX = 50;

/** A password being chosen (sign-up, change): never trimmed or otherwise changed. */
const newPassword = z
  .string({ error: "password.required" })
  .min(PASSWORD_MIN, "password.too_short")
  .max(PASSWORD_MAX, "password.too_long");

/** A password being checked (sign-in, the current one at a change): only capped. */
const givenPassword = z
  .string({ error: "password.required" })
  .min(1, "password.required")
  .max(PASSWORD_MAX, "password.too_long");

/** The display name, trimmed; empty means none. */
const name = z
  .string({ error: "name.invalid" })
  .trim()
  .max(NAME_MAX, "name.too_long")
  .optional()
  .transform((value) => (value ? value : undefined));

export const signUpSchema = z.object({ email, password: newPassword, name });

export type SignUpInput = z.infer<typeof signUpSchema>;

export const signInSchema = z.object({ email, password: givenPassword });

export type SignInInput = z.infer<typeof signInSchema>;

/** The account page's name form: a missing or empty name removes it. */
export const changeNameSchema = z.object({ name });

/**
 * The account page's password form. The new password is typed twice (a typo would send the buyer
 * to the e-mailed reset) and must differ from the current one.
 */
export const changePasswordSchema = z
  .object({
    currentPassword: givenPassword,
    newPassword,
    confirmPassword: z.string({ error: "password.mismatch" }),
  })
  .superRefine((value, ctx) => {
    if (value.confirmPassword !== value.newPassword) {
      ctx.addIssue({ code: "custom", path: ["confirmPassword"], message: "password.mismatch" });
    }
    if (value.newPassword === value.currentPassword) {
      ctx.addIssue({ code: "custom", path: ["newPassword"], message: "password.unchanged" });
    }
  });

export type ChangePasswordInput = z.infer<typeof changePasswordSchema>;

// Kept free of zod (client components use it): lib/auth/callback-path.ts.
export { safeCallbackPath } from "./callback-path";
