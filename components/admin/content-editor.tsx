"use client";

import { useTranslations } from "next-intl";
import { useActionState, useState } from "react";
import { Markdown } from "@/components/content/markdown";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import type { ContentFormState } from "@/lib/admin/content-form-state";
import {
  MAX_BODY,
  MAX_TITLE,
  MAX_VIDEO_URL,
  type ContentFormValues,
} from "@/lib/admin/content-input";

type Action = (state: ContentFormState, form: FormData) => Promise<ContentFormState>;

const textarea =
  "block min-h-64 w-full rounded-lg border border-stone-300 bg-white px-3 py-2 font-mono text-sm focus:border-brand-500 focus:ring-2 focus:ring-brand-100 focus:outline-none aria-invalid:border-red-500";

/**
 * The editor of a lesson or a members' post: titles and Markdown bodies in both languages, with
 * a live preview rendered as buyers will see it (components/content/markdown.tsx), and for a
 * lesson an https video URL. Saved by a server action; refusals come back beside their fields.
 */
export function ContentEditor({
  action,
  hidden,
  initial,
  withVideo,
  onClose,
  testId,
}: {
  action: Action;
  /** Hidden fields: `productId`, `lessonId` or `postId`. */
  hidden: Record<string, string>;
  initial: ContentFormValues;
  withVideo: boolean;
  onClose: () => void;
  testId: string;
}) {
  const t = useTranslations("admin.content.editor");
  const tField = useTranslations("admin.content.fieldErrors");
  const tErrors = useTranslations("admin.content.errors");
  const [state, formAction, pending] = useActionState<ContentFormState, FormData>(action, {});
  const [values, setValues] = useState<ContentFormValues>(initial);
  const [previewLocale, setPreviewLocale] = useState<"zh" | "en">("zh");
  const errorsOf = (field: string) =>
    state.fields?.[field]?.map((code) => (tField.has(code) ? tField(code) : tErrors("failed")));
  const set = (field: keyof ContentFormValues) => (value: string) =>
    setValues((current) => ({ ...current, [field]: value }));
  // A new item, once saved, is edited from then on (its id came back).
  const ids = { ...hidden };
  if (state.id) {
    if ("productId" in hidden) ids.lessonId = state.id;
    else ids.postId = state.id;
  }
  const preview = previewLocale === "zh" ? (values.bodyZh ?? "") : (values.bodyEn ?? "");

  const body = (field: "bodyZh" | "bodyEn", label: string) => (
    <div className="space-y-1">
      <label htmlFor={`${testId}-${field}`} className="block text-sm font-medium text-stone-700">
        {label}
      </label>
      <textarea
        id={`${testId}-${field}`}
        name={field}
        value={values[field] ?? ""}
        maxLength={MAX_BODY}
        onChange={(event) => set(field)(event.target.value)}
        onFocus={() => setPreviewLocale(field === "bodyZh" ? "zh" : "en")}
        aria-invalid={errorsOf(field) ? true : undefined}
        className={textarea}
        data-testid={`${testId}-${field}`}
      />
      {errorsOf(field) ? (
        <p role="alert" className="text-sm text-red-600">
          {errorsOf(field)?.join(" ")}
        </p>
      ) : null}
    </div>
  );

  return (
    <form
      action={formAction}
      className="space-y-4 rounded-xl border border-stone-200 bg-stone-50 p-3 sm:p-4"
      data-testid={testId}
    >
      {Object.entries(ids).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      {state.error ? (
        <p role="alert" className="rounded-lg bg-red-50 p-3 text-sm text-red-700">
          {tErrors(state.error)}
        </p>
      ) : state.fields && Object.keys(state.fields).length > 0 ? (
        <p role="alert" className="rounded-lg bg-red-50 p-3 text-sm text-red-700">
          {tErrors("fix")}
        </p>
      ) : state.saved ? (
        <p
          role="status"
          className="rounded-lg bg-emerald-50 p-3 text-sm text-emerald-800"
          data-testid={`${testId}-saved`}
        >
          {t(state.saved)}
        </p>
      ) : null}
      <div className="grid gap-4 sm:grid-cols-2">
        <Field
          id={`${testId}-titleZh`}
          name="titleZh"
          label={t("titleZh")}
          maxLength={MAX_TITLE}
          value={values.titleZh ?? ""}
          onChange={(event) => set("titleZh")(event.target.value)}
          errors={errorsOf("titleZh")}
          data-testid={`${testId}-titleZh`}
        />
        <Field
          id={`${testId}-titleEn`}
          name="titleEn"
          label={t("titleEn")}
          maxLength={MAX_TITLE}
          value={values.titleEn ?? ""}
          onChange={(event) => set("titleEn")(event.target.value)}
          errors={errorsOf("titleEn")}
          data-testid={`${testId}-titleEn`}
        />
      </div>
      {withVideo ? (
        <Field
          id={`${testId}-videoUrl`}
          name="videoUrl"
          type="url"
          label={t("videoUrl")}
          hint={t("videoHint")}
          maxLength={MAX_VIDEO_URL}
          value={values.videoUrl ?? ""}
          onChange={(event) => set("videoUrl")(event.target.value)}
          errors={errorsOf("videoUrl")}
          placeholder="https://"
          data-testid={`${testId}-videoUrl`}
        />
      ) : null}
      <p className="text-xs text-stone-500">{t("markdownHint")}</p>
      <div className="grid gap-4 lg:grid-cols-2">
        <div className="space-y-4">
          {body("bodyZh", t("bodyZh"))}
          {body("bodyEn", t("bodyEn"))}
        </div>
        <div className="space-y-2">
          <div className="flex items-center justify-between gap-2">
            <h3 className="text-sm font-medium text-stone-700">{t("preview")}</h3>
            <div className="flex gap-1" role="group" aria-label={t("previewLanguage")}>
              {(["zh", "en"] as const).map((locale) => (
                <button
                  key={locale}
                  type="button"
                  onClick={() => setPreviewLocale(locale)}
                  aria-pressed={previewLocale === locale}
                  className={`rounded-md px-2 py-1 text-xs ${previewLocale === locale ? "bg-stone-800 text-white" : "bg-white text-stone-700 ring-1 ring-stone-300"}`}
                >
                  {t(locale === "zh" ? "previewZh" : "previewEn")}
                </button>
              ))}
            </div>
          </div>
          <div
            className="min-h-32 rounded-lg border border-stone-200 bg-white p-3 sm:p-4"
            data-testid={`${testId}-preview`}
          >
            {preview.trim() ? (
              <Markdown source={preview} />
            ) : (
              <p className="text-sm text-stone-400">{t("previewEmpty")}</p>
            )}
          </div>
        </div>
      </div>
      <div className="flex flex-wrap gap-2">
        <Button type="submit" disabled={pending} data-testid={`${testId}-save`}>
          {pending ? t("saving") : t("save")}
        </Button>
        <Button type="button" variant="secondary" onClick={onClose}>
          {t("close")}
        </Button>
      </div>
    </form>
  );
}
