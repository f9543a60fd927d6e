import type { ReactNode } from "react";

/** The admin's tables: a header row and body rows, scrolling sideways on a phone. */
export function AdminTable({
  headers,
  children,
  empty,
  isEmpty,
}: {
  headers: { label: string; align?: "right" }[];
  children: ReactNode;
  empty: string;
  isEmpty: boolean;
}) {
  if (isEmpty) return <p className="text-sm text-stone-500">{empty}</p>;
  return (
    <div className="overflow-x-auto rounded-2xl border border-stone-200 bg-white">
      <table className="w-full text-left text-sm">
        <thead className="bg-stone-100 text-stone-600">
          <tr>
            {headers.map((h) => (
              <th
                key={h.label}
                className={`px-3 py-2 whitespace-nowrap ${h.align === "right" ? "text-right" : ""}`}
              >
                {h.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

export const cell = "px-3 py-2 align-top";
