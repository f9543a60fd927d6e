/**
 * What the owner may record as a use of credits, pure (input.test.ts): an amount of 1 to 100
 * credits (1 when not given: one consultation), a note of 1 to 500 characters after trimming
 * (counted as the database counts them, by code point: `credit_entries_kind_fields`), and the
 * form's one-time request key.
 */

export const USE_AMOUNT_MAX = 100;
export const USE_NOTE_MAX = 500;

export type CreditUseProblem =
  | "credits.amount_invalid"
  | "credits.note_required"
  | "credits.note_too_long"
  | "credits.request_key_invalid";

export interface CreditUseInput {
  amount: number;
  note: string;
  requestKey: string;
}

export type CheckedCreditUse =
  | { ok: true; value: CreditUseInput }
  | { ok: false; problems: Partial<Record<keyof CreditUseInput, CreditUseProblem>> };

const REQUEST_KEY = /^[A-Za-z0-9_-]{16,100}$/;

/** Parses the amount as typed ("", "1", "2"); undefined means the default, one credit. */
export function parseUseAmount(raw: string | number | undefined | null): number | null {
  if (raw === undefined || raw === null) return 1;
  if (typeof raw === "number") return Number.isSafeInteger(raw) ? raw : null;
  const text = raw.trim();
  if (text === "") return 1;
  return /^\d{1,4}$/.test(text) ? Number(text) : null;
}

/** Checks a use as the owner entered it; the note comes back trimmed. */
export function checkCreditUse(input: {
  amount?: string | number | null;
  note: string;
  requestKey: string;
}): CheckedCreditUse {
  const problems: Partial<Record<keyof CreditUseInput, CreditUseProblem>> = {};
  const amount = parseUseAmount(input.amount);
  if (amount === null || amount < 1 || amount > USE_AMOUNT_MAX) {
    problems.amount = "credits.amount_invalid";
  }
  const note = input.note.trim();
  if (note === "") problems.note = "credits.note_required";
  else if (Array.from(note).length > USE_NOTE_MAX) problems.note = "credits.note_too_long";
  if (!REQUEST_KEY.test(input.requestKey)) problems.requestKey = "credits.request_key_invalid";
  if (Object.keys(problems).length > 0 || amount === null) return { ok: false, problems };
  return { ok: true, value: { amount, note, requestKey: input.requestKey } };
}
