/** Types of scripts/patch-postgres.mjs (plain JavaScript: npm's postinstall runs it before tsx may exist). */
export interface ConnectionEdit {
  from: string;
  times: number;
  to: string;
}
export const PATCHED_VERSION: string;
export const EDITS: readonly ConnectionEdit[];
export function patchConnectionSource(source: string): { source: string; changed: boolean };
export function patchPostgres(root: string): string[];
