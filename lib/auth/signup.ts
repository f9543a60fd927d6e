import { findUserByEmail, insertUser } from "@/db/queries/users";
import type { Db } from "@/db/client";
import type { User } from "@/db/schema";
import type { Locale } from "@/i18n/locales";
import { AppError } from "@/lib/errors";
import { fieldErrorsOf } from "@/lib/validation";
import { newId } from "@/lib/ids";
import { hashPassword } from "./password";
import { signUpSchema } from "./schemas";

export type PublicUser = Pick<User, "id" | "email" | "name" | "role">;

/**
 * Creates a buyer account. Throws `validation_failed` with field codes for malformed input and
 * `conflict` (field `email: email.taken`) for an email that is already registered; the unique
 * index decides the race between two sign-ups with the same email.
 */
export async function signUp(
  db: Db,
  input: unknown,
  /** The language the buyer signed up in: their notices are written in it. */
  options: { locale?: Locale } = {},
): Promise<PublicUser> {
  const parsed = signUpSchema.safeParse(input);
  if (!parsed.success) {
    throw new AppError(
      "validation_failed",
      "Some fields are invalid.",
      fieldErrorsOf(parsed.error),
    );
  }
  const { email, password, name } = parsed.data;
  const taken = () =>
    new AppError("conflict", "An account with this email already exists.", {
      email: ["email.taken"],
    });
  if (await findUserByEmail(db, email)) throw taken();
  const user = await insertUser(db, {
    id: newId("usr"),
    email,
    name: name ?? null,
    passwordHash: await hashPassword(password),
    role: "buyer",
    locale: options.locale ?? null,
  });
  if (!user) throw taken();
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}
