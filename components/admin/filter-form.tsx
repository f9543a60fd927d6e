import Link from "next/link";
import type { ReactNode } from "react";

/**
 * A list's filters as a plain GET form: submitting loads the page with the filters in the URL
 * (shareable, and what the dashboard links to); no JavaScript needed. Fields wrap on a phone.
 */
export function FilterForm({
  action,
  children,
  applyLabel,
  resetLabel,
  invalid,
}: {
  action: string;
  children: ReactNode;
  applyLabel: string;
  resetLabel: string;
  invalid: string | null;
}) {
  return (
    <form
      action={action}
      method="get"
      className="flex flex-wrap items-end gap-3 rounded-2xl border border-stone-200 bg-white p-3 text-sm"
      data-testid="filter-form"
    >
      {invalid ? (
        <p role="alert" className="w-full text-red-700" data-testid="filter-invalid">
          {invalid}
        </p>
      ) : null}
      {children}
      <div className="flex gap-2">
        <button
          type="submit"
          className="rounded bg-stone-800 px-3 py-1.5 text-white hover:bg-stone-700"
          data-testid="filter-apply"
        >
          {applyLabel}
        </button>
        <Link
          href={action}
          className="rounded border border-stone-300 px-3 py-1.5 text-stone-700 hover:bg-stone-100"
        >
          {resetLabel}
        </Link>
      </div>
    </form>
  );
}

const field = "flex min-w-0 flex-col gap-1";
const control = "rounded border border-stone-300 bg-white px-2 py-1.5";

/** A labelled select of a filter; `""` is "any". */
export function FilterSelect({
  name,
  label,
  value,
  options,
}: {
  name: string;
  label: string;
  value: string | undefined;
  options: { value: string; label: string }[];
}) {
  return (
    <label className={field}>
      <span className="text-xs text-stone-500">{label}</span>
      <select name={name} defaultValue={value ?? ""} className={control}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A labelled text, search or date input of a filter. */
export function FilterInput({
  name,
  label,
  value,
  type = "text",
  placeholder,
}: {
  name: string;
  label: string;
  value: string | undefined;
  type?: "text" | "search" | "date";
  placeholder?: string;
}) {
  return (
    <label className={`${field} ${type === "date" ? "" : "grow basis-48"}`}>
      <span className="text-xs text-stone-500">{label}</span>
      <input
        name={name}
        type={type}
        defaultValue={value ?? ""}
        placeholder={placeholder}
        className={control}
      />
    </label>
  );
}

/** A labelled checkbox of a filter (sent as `name=1`). */
export function FilterCheckbox({
  name,
  label,
  checked,
}: {
  name: string;
  label: string;
  checked: boolean;
}) {
  return (
    <label className="flex items-center gap-2 py-1.5">
      <input type="checkbox" name={name} value="1" defaultChecked={checked} />
      <span>{label}</span>
    </label>
  );
}
