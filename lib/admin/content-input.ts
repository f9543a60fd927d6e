import { z } from "zod";
import type { FieldErrors } from "@/lib/errors";
import { fieldErrorsOf } from "@/lib/validation";

/*
 * The content editor's input (issue #12): lessons, members' posts, file names and file orders,
 * checked as the database checks them (db/schema/delivery.ts), every refusal a field and a code
 * (`title.required`) shown in the admin's language (`admin.content.fieldErrors.*`). Pure.
 */

export const MAX_TITLE = 200;
export const MAX_BODY = 100_000;
export const MAX_VIDEO_URL = 2000;
export const MAX_FILE_NAME = 200;
/** A product has a handful of files and lessons; a reorder of more is not a real request. */
export const MAX_ITEMS = 500;

/** Length as PostgreSQL's char_length counts it: code points. */
const codePoints = (text: string) => [...text].length;

/** C0, DEL and C1 controls: what `[:cntrl:]` refuses in the database. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * A file name as buyers will see it, or the reason it cannot be one: NFC, trimmed, 1–200
 * characters, no `/`, `\` or control characters, not `.` or `..` (the database's own check).
 */
export function checkFileName(raw: string): { name: string } | { error: string } {
  const name = raw.normalize("NFC").trim();
  if (name === "") return { error: "fileName.required" };
  if (codePoints(name) > MAX_FILE_NAME) return { error: "fileName.too_long" };
  if (/[/\\]/.test(name) || CONTROL.test(name) || name === "." || name === "..") {
    return { error: "fileName.invalid" };
  }
  return { name };
}

/**
 * The name an uploaded file gets from the browser's filename: its last path part (some browsers
 * send `C:\fakepath\…`), NFC, control characters removed, cut to 200 characters keeping the
 * extension. Null when nothing usable is left (the caller names it `file`).
 */
export function uploadFileName(raw: string | undefined): string | null {
  if (!raw) return null;
  const base = raw.normalize("NFC").split(/[/\\]/).pop() ?? "";
  let name = base.replace(/[\u0000-\u001f\u007f-\u009f]/g, "").trim();
  const chars = [...name];
  if (chars.length > MAX_FILE_NAME) {
    const dot = name.lastIndexOf(".");
    const extension = dot > 0 ? [...name.slice(dot)] : [];
    const keep = extension.length > 0 && extension.length <= 16 ? extension : [];
    name = chars.slice(0, MAX_FILE_NAME - keep.length).join("") + keep.join("");
  }
  const checked = checkFileName(name);
  return "name" in checked ? checked.name : null;
}

const title = z
  .string({ error: "title.required" })
  .trim()
  .min(1, "title.required")
  .refine((value) => codePoints(value) <= MAX_TITLE, "title.too_long");

const body = z
  .string({ error: "body.invalid" })
  .optional()
  .transform((value) => (value ?? "").replace(/\r\n/g, "\n"))
  .refine((value) => codePoints(value) <= MAX_BODY, "body.too_long");

const videoUrl = z
  .string({ error: "videoUrl.invalid" })
  .trim()
  .optional()
  .transform((value) => (value ? value : null))
  .refine((value) => value === null || value.length <= MAX_VIDEO_URL, "videoUrl.too_long")
  .refine((value) => value === null || isHttpsUrl(value), "videoUrl.https");

/** An absolute https URL with a host and no whitespace (what the database's check accepts). */
export function isHttpsUrl(value: string): boolean {
  if (!/^https:\/\/\S+$/.test(value)) return false;
  try {
    const url = new URL(value);
    return url.protocol === "https:" && url.hostname !== "";
  } catch {
    return false;
  }
}

const lessonSchema = z.object({
  titleZh: title,
  titleEn: title,
  bodyZh: body,
  bodyEn: body,
  videoUrl,
});

const postSchema = z.object({ titleZh: title, titleEn: title, bodyZh: body, bodyEn: body });

export type LessonTerms = z.infer<typeof lessonSchema>;
export type PostTerms = z.infer<typeof postSchema>;

export const LESSON_FIELDS = ["titleZh", "titleEn", "bodyZh", "bodyEn", "videoUrl"] as const;
export const POST_FIELDS = ["titleZh", "titleEn", "bodyZh", "bodyEn"] as const;
export type ContentFormValues = Partial<Record<(typeof LESSON_FIELDS)[number], string>>;

export type Parsed<T> = { ok: true; terms: T } | { ok: false; fields: FieldErrors };

function parseWith<T>(schema: z.ZodType<T>, input: unknown): Parsed<T> {
  const parsed = schema.safeParse(input);
  return parsed.success
    ? { ok: true, terms: parsed.data }
    : { ok: false, fields: fieldErrorsOf(parsed.error) };
}

export const parseLessonInput = (input: unknown): Parsed<LessonTerms> =>
  parseWith(lessonSchema, input);
export const parsePostInput = (input: unknown): Parsed<PostTerms> => parseWith(postSchema, input);

/** A new order: distinct ids, at most MAX_ITEMS. */
export const idListSchema = z
  .array(z.string().regex(/^[a-z]{3}_[0-9a-z]{1,40}$/), { error: "ids.invalid" })
  .max(MAX_ITEMS)
  .refine((ids) => new Set(ids).size === ids.length, "ids.duplicate");

/** Whether `ids` names exactly the `current` ids (in any order). */
export function sameIdSet(ids: readonly string[], current: readonly string[]): boolean {
  if (ids.length !== current.length) return false;
  const set = new Set(current);
  return ids.every((id) => set.has(id));
}
