import type { FieldErrors } from "@/lib/errors";
import type { ContentFormValues } from "./content-input";

/**
 * What the content editor's server actions answer (kept out of the "use server" file, which may
 * export only async functions). `error` keys live under `admin.content.errors`, field codes
 * under `admin.content.fieldErrors`.
 */
export type ContentError = "unauthorized" | "forbidden" | "not_found" | "invalid" | "failed";

export interface ContentFormState {
  fields?: FieldErrors;
  error?: ContentError;
  saved?: "created" | "updated" | "unchanged";
  /** The saved lesson's or post's id (a new one's, so the editor can keep editing it). */
  id?: string;
  values?: ContentFormValues;
}

export interface ContentActionState {
  error?: ContentError;
  done?: "deleted" | "reordered" | "published" | "unpublished" | "unchanged";
}
