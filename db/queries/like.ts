import "server-only";

/**
 * The `LIKE` pattern of a prefix: its wildcards (`%`, `_`) and the escape character itself
 * escaped (backslash is LIKE's default escape), so a search for `a_b` finds `a_b…` only.
 * Searches by prefix can use a `text_pattern_ops` index; a leading wildcard could not.
 */
export function prefixPattern(text: string): string {
  return `${text.replaceAll("\\", "\\\\").replaceAll("%", "\\%").replaceAll("_", "\\_")}%`;
}
