"use client";

import { useTranslations } from "next-intl";
import { useActionState, useState } from "react";
import { Button } from "@/components/ui/button";
import {
  deleteLessonAction,
  reorderLessonsAction,
  saveLessonAction,
} from "@/lib/admin/content-actions";
import type { ContentActionState } from "@/lib/admin/content-form-state";
import { ContentDelete } from "./content-delete";
import { ContentEditor } from "./content-editor";

export interface LessonItem {
  id: string;
  titleZh: string;
  titleEn: string;
  bodyZh: string;
  bodyEn: string;
  videoUrl: string | null;
}

/**
 * A one-off product's lessons (a course): the list in order with up / down, edit, delete (asked
 * twice) and "add a lesson", each opening the editor with its Markdown preview.
 */
export function ContentLessons({
  productId,
  lessons,
  locale,
}: {
  productId: string;
  lessons: LessonItem[];
  locale: "zh-CN" | "en";
}) {
  const t = useTranslations("admin.content.lessons");
  const tErrors = useTranslations("admin.content.errors");
  const [editing, setEditing] = useState<string | "new" | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [moved, moveAction, moving] = useActionState<ContentActionState, FormData>(
    reorderLessonsAction,
    {},
  );
  const [removed, removeAction, removing] = useActionState<ContentActionState, FormData>(
    deleteLessonAction,
    {},
  );
  const order = lessons.map((lesson) => lesson.id);
  const swapped = (index: number, by: -1 | 1) => {
    const ids = [...order];
    [ids[index], ids[index + by]] = [ids[index + by]!, ids[index]!];
    return ids.join(",");
  };
  const outcome = removed.error ?? moved.error;

  return (
    <section className="space-y-4" data-testid="content-lessons">
      <div className="space-y-1">
        <h2 className="text-lg font-semibold">{t("title")}</h2>
        <p className="text-sm text-stone-600">{t("hint")}</p>
      </div>
      {outcome ? (
        <p role="alert" className="rounded-lg bg-red-50 p-3 text-sm text-red-700">
          {tErrors(outcome)}
        </p>
      ) : null}
      {lessons.length === 0 ? <p className="text-sm text-stone-500">{t("empty")}</p> : null}
      <ol className="space-y-3">
        {lessons.map((lesson, index) => (
          <li
            key={lesson.id}
            className="space-y-3 rounded-xl border border-stone-200 bg-white p-3 sm:p-4"
            data-testid="content-lesson"
            data-lesson-id={lesson.id}
          >
            <div className="flex flex-wrap items-center justify-between gap-2">
              <p className="min-w-0 font-medium break-words" data-testid="content-lesson-title">
                <span className="mr-2 text-stone-400">{`${index + 1}.`}</span>
                {locale === "en" ? lesson.titleEn : lesson.titleZh}
                {lesson.videoUrl ? (
                  <span className="ml-2 rounded bg-stone-100 px-1.5 py-0.5 text-xs text-stone-600">
                    {t("video")}
                  </span>
                ) : null}
              </p>
              <div className="flex flex-wrap gap-2">
                {[-1, 1].map((by) => (
                  <form key={by} action={moveAction}>
                    <input type="hidden" name="productId" value={productId} />
                    <input
                      type="hidden"
                      name="ids"
                      value={
                        index + by >= 0 && index + by < order.length
                          ? swapped(index, by as -1 | 1)
                          : ""
                      }
                    />
                    <Button
                      type="submit"
                      variant="secondary"
                      className="px-3 py-1"
                      disabled={moving || index + by < 0 || index + by >= order.length}
                      data-testid={by < 0 ? "content-lesson-up" : "content-lesson-down"}
                    >
                      {by < 0 ? `↑ ${t("up")}` : `↓ ${t("down")}`}
                    </Button>
                  </form>
                ))}
                <Button
                  type="button"
                  variant="secondary"
                  className="px-3 py-1"
                  onClick={() => setEditing(editing === lesson.id ? null : lesson.id)}
                  data-testid="content-lesson-edit"
                >
                  {t("edit")}
                </Button>
                <ContentDelete
                  confirming={confirming === lesson.id}
                  onAsk={() => setConfirming(lesson.id)}
                  onCancel={() => setConfirming(null)}
                  busy={removing}
                  testId="content-lesson-delete"
                  labels={{ delete: t("delete"), confirm: t("confirmDelete"), cancel: t("cancel") }}
                  confirm={{ action: removeAction, hidden: { lessonId: lesson.id } }}
                />
              </div>
            </div>
            {editing === lesson.id ? (
              <ContentEditor
                action={saveLessonAction}
                hidden={{ productId, lessonId: lesson.id }}
                initial={{
                  titleZh: lesson.titleZh,
                  titleEn: lesson.titleEn,
                  bodyZh: lesson.bodyZh,
                  bodyEn: lesson.bodyEn,
                  videoUrl: lesson.videoUrl ?? "",
                }}
                withVideo
                onClose={() => setEditing(null)}
                testId="lesson-editor"
              />
            ) : null}
          </li>
        ))}
      </ol>
      {editing === "new" ? (
        <ContentEditor
          action={saveLessonAction}
          hidden={{ productId }}
          initial={{}}
          withVideo
          onClose={() => setEditing(null)}
          testId="lesson-editor"
        />
      ) : (
        <Button
          type="button"
          variant="secondary"
          onClick={() => setEditing("new")}
          data-testid="content-lesson-add"
        >
          {t("add")}
        </Button>
      )}
    </section>
  );
}
