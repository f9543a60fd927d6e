import { useTranslations } from "next-intl";

/**
 * A code shown to the owner (a status, an event kind, an outcome, an Alipay result code): its
 * human label in the owner's language with the raw code beside it for support. Labels live under
 * `admin.codes.<group>.<code>` (a dot in a code is an underscore in its key: keys are paths, so
 * `ACQ.SYSTEM_ERROR` is labelled at `ACQ_SYSTEM_ERROR`); a code without a label shows the raw code
 * alone, never nothing.
 * Works in server and client components.
 */
export function CodeLabel({ group, code }: { group: string; code: string | null | undefined }) {
  const t = useTranslations("admin.codes");
  if (code === null || code === undefined || code === "") return <span>{"—"}</span>;
  const key = `${group}.${codeKey(code)}`;
  const label = t.has(key) ? t(key) : null;
  return (
    <span className="inline-flex flex-wrap items-baseline gap-x-1.5" data-code={code}>
      {label ? <span>{label}</span> : null}
      <code className="font-mono text-xs text-stone-500">{code}</code>
    </span>
  );
}

/** The messages key of a code: dots (path separators in keys) become underscores. */
export function codeKey(code: string): string {
  return code.replaceAll(".", "_");
}
