import type { CreditUseProblem } from "@/lib/credits/input";

/**
 * What the "record a use" form's server action answers. `error` keys live under
 * `admin.credits.errors`, field problems under `admin.credits.fieldErrors` (the code after
 * `credits.`); `balance` is the buyer's balance after the use, or the balance that was too low.
 */
export interface CreditUseFormState {
  error?: "unauthorized" | "forbidden" | "invalid" | "insufficient_credits" | "conflict" | "failed";
  fields?: { amount?: CreditUseProblem; note?: CreditUseProblem };
  done?: "recorded" | "repeated";
  balance?: number;
  /** What was typed, given back on a refusal so it is not lost. */
  values?: { amount: string; note: string };
  /** Grows with every answer: the form is re-mounted with the values above. */
  seq?: number;
}
