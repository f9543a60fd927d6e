import { useTranslations } from "next-intl";
import { labelKey, type CodePart } from "@/lib/admin/inbox-codes";

/**
 * A stored code split into parts (lib/admin/inbox-codes.ts): each labelled part shows its human
 * label with the raw code beside it, as CodeLabel does; free text (a reason, amounts) shows as
 * it is. A code without a label shows raw, never nothing. Server and client components alike.
 */
export function CodeParts({ parts, testId }: { parts: readonly CodePart[]; testId?: string }) {
  const t = useTranslations("admin.codes");
  if (parts.length === 0) return <span>{"—"}</span>;
  return (
    <span className="inline-flex flex-wrap items-baseline gap-x-2 gap-y-0.5" data-testid={testId}>
      {parts.map((part, index) => {
        if ("text" in part) {
          return (
            <span key={index} className="text-xs break-all text-stone-600">
              {part.text}
            </span>
          );
        }
        const key = `${part.group}.${labelKey(part.code)}`;
        const label = t.has(key) ? t(key) : null;
        return (
          <span
            key={index}
            className="inline-flex flex-wrap items-baseline gap-x-1"
            data-code={part.code}
            data-group={part.group}
          >
            {label ? <span>{label}</span> : null}
            <code className="font-mono text-xs break-all text-stone-500">{part.code}</code>
          </span>
        );
      })}
    </span>
  );
}

/** A code's label as text with the raw code (for a `<select>`'s options, which hold text only). */
export function codeLabelText(
  t: { has: (key: string) => boolean; (key: string): string },
  group: string,
  code: string,
): string {
  const key = `${group}.${labelKey(code)}`;
  return t.has(key) ? `${t(key)} (${code})` : code;
}
