import Link from "next/link";

export interface FilterField {
  name: string;
  label: string;
  value: string | undefined;
  options: readonly { value: string; label: string }[];
}

/**
 * The filters of an admin list as a plain GET form: the URL's query string is the state, so a
 * filtered list is a shareable link and works without JavaScript. Selects wrap at phone width.
 */
export function ListFilters({
  action,
  fields,
  allLabel,
  applyLabel,
  clearLabel,
  testId,
}: {
  action: string;
  fields: readonly FilterField[];
  allLabel: string;
  applyLabel: string;
  clearLabel: string;
  testId: string;
}) {
  const active = fields.some((field) => field.value);
  return (
    <form
      method="get"
      action={action}
      className="flex flex-wrap items-end gap-3 rounded-2xl border border-stone-200 bg-white p-3"
      data-testid={testId}
    >
      {fields.map((field) => (
        <div key={field.name} className="flex min-w-0 flex-col gap-1 text-xs text-stone-600">
          <label htmlFor={`${testId}-${field.name}`}>{field.label}</label>
          <select
            id={`${testId}-${field.name}`}
            name={field.name}
            defaultValue={field.value ?? ""}
            className="max-w-[11rem] rounded-lg border border-stone-300 bg-white px-2 py-1.5 text-sm text-stone-900"
          >
            <option value="">{allLabel}</option>
            {field.options.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </div>
      ))}
      <button
        type="submit"
        className="rounded-lg bg-stone-800 px-3 py-1.5 text-sm text-white hover:bg-stone-700"
      >
        {applyLabel}
      </button>
      {active ? (
        <Link href={action} className="py-1.5 text-sm text-brand-600 hover:underline">
          {clearLabel}
        </Link>
      ) : null}
    </form>
  );
}
