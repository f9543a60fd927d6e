import type { InputHTMLAttributes, ReactNode, TextareaHTMLAttributes } from "react";

interface Labelled {
  id: string;
  label: string;
  hint?: string;
  errors?: string[];
}

const control =
  "block w-full rounded-lg border border-stone-300 bg-white px-3 py-2 text-base focus:border-brand-500 focus:ring-2 focus:ring-brand-100 focus:outline-none aria-invalid:border-red-500";

/** What ties a control to its hint and errors for screen readers. */
function described({ id, hint, errors }: Labelled) {
  const describedBy = [hint ? `${id}-hint` : "", errors?.length ? `${id}-error` : ""]
    .filter(Boolean)
    .join(" ");
  return {
    id,
    "aria-invalid": errors?.length ? true : undefined,
    "aria-describedby": describedBy || undefined,
  };
}

/** The label above a control, its hint and its translated errors below. */
function FieldFrame({ id, label, hint, errors, children }: Labelled & { children: ReactNode }) {
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium text-stone-700">
        {label}
      </label>
      {children}
      {hint ? (
        <p id={`${id}-hint`} className="text-xs text-stone-500">
          {hint}
        </p>
      ) : null}
      {errors?.length ? (
        <p id={`${id}-error`} role="alert" className="text-sm text-red-600">
          {errors.join(" ")}
        </p>
      ) : null}
    </div>
  );
}

/** A labelled input with its hint and translated errors; ids tie them together for screen readers. */
export function Field({
  label,
  hint,
  errors,
  id,
  ...input
}: InputHTMLAttributes<HTMLInputElement> & Labelled) {
  const labelled = { id, label, hint, errors };
  return (
    <FieldFrame {...labelled}>
      <input {...described(labelled)} className={control} {...input} />
    </FieldFrame>
  );
}

/** A labelled text area, as `Field`. */
export function TextAreaField({
  label,
  hint,
  errors,
  id,
  rows = 3,
  ...textarea
}: TextareaHTMLAttributes<HTMLTextAreaElement> & Labelled) {
  const labelled = { id, label, hint, errors };
  return (
    <FieldFrame {...labelled}>
      <textarea {...described(labelled)} rows={rows} className={control} {...textarea} />
    </FieldFrame>
  );
}
