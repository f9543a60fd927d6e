import type { z } from "zod";
import type { FieldErrors } from "./errors";

/**
 * Groups zod issues by top-level field; each message is a stable code the UI translates. Only the
 * first problem of a field is kept: zod goes on checking after a wrong type (a `min` check on an
 * array, say), and that second code would only confuse.
 */
export function fieldErrorsOf(error: z.ZodError): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.length > 0 ? String(issue.path[0]) : "_";
    fields[key] ??= [issue.message];
  }
  return fields;
}
