import { useTranslations } from "next-intl";

/**
 * A code shown to the owner (a status, an event kind, an outcome, an Alipay result code): its
 * human label in the owner's language with the raw code beside it for support. Labels live under
 * `admin.codes.<group>.<code>`; a code without a label shows the raw code alone, never nothing.
 * Works in server and client components.
 */
export function CodeLabel({ group, code }: { group: string; code: string | null | undefined }) {
  const t = useTranslations("admin.codes");
  if (code === null || code === undefined || code === "") return <span>{"—"}</span>;
  const key = `${group}.${code}`;
  // Keys are paths: a code with a dot cannot be a key, and shows raw.
  const label = !code.includes(".") && t.has(key) ? t(key) : null;
  return (
    <span className="inline-flex flex-wrap items-baseline gap-x-1.5" data-code={code}>
      {label ? <span>{label}</span> : null}
      <code className="font-mono text-xs text-stone-500">{code}</code>
    </span>
  );
}
