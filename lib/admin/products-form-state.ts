import type { FieldErrors } from "@/lib/errors";
import type { ProductFormValues } from "./products-input";

/**
 * What the product editor's server actions answer (kept out of the "use server" file, which may
 * export only async functions). `error` keys live under `admin.catalog.errors`, field codes
 * under `admin.catalog.fieldErrors`.
 */
export interface ProductFormState {
  fields?: FieldErrors;
  error?: "unauthorized" | "forbidden" | "not_found" | "failed";
  saved?: "updated" | "unchanged";
  values?: ProductFormValues;
}

export interface ProductStatusState {
  error?: "unauthorized" | "forbidden" | "not_found" | "invalid" | "failed";
  done?: "deactivated" | "reactivated" | "coverRemoved";
}
