"use client";

import { useFormatter, useTranslations } from "next-intl";
import { useActionState, useState } from "react";
import { Button } from "@/components/ui/button";
import { deletePostAction, publishPostAction, savePostAction } from "@/lib/admin/content-actions";
import type { ContentActionState } from "@/lib/admin/content-form-state";
import { ContentDelete } from "./content-delete";
import { ContentEditor } from "./content-editor";

export interface PostItem {
  id: string;
  titleZh: string;
  titleEn: string;
  bodyZh: string;
  bodyEn: string;
  /** ISO time; null: a draft. */
  publishedAt: string | null;
  updatedAt: string;
}

/**
 * The members' posts: drafts first, then the published newest first; write (with the Markdown
 * preview), edit, publish / unpublish, delete (asked twice).
 */
export function ContentPosts({ posts, locale }: { posts: PostItem[]; locale: "zh-CN" | "en" }) {
  const t = useTranslations("admin.content.posts");
  const tErrors = useTranslations("admin.content.errors");
  const format = useFormatter();
  const [editing, setEditing] = useState<string | "new" | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [published, publishAction, publishing] = useActionState<ContentActionState, FormData>(
    publishPostAction,
    {},
  );
  const [removed, removeAction, removing] = useActionState<ContentActionState, FormData>(
    deletePostAction,
    {},
  );
  const outcome = published.error ?? removed.error;
  const when = (iso: string) =>
    format.dateTime(new Date(iso), { dateStyle: "medium", timeStyle: "short" });

  return (
    <section className="space-y-4" data-testid="content-posts">
      <div className="space-y-1">
        <h2 className="text-lg font-semibold">{t("title")}</h2>
        <p className="text-sm text-stone-600">{t("hint")}</p>
      </div>
      {outcome ? (
        <p role="alert" className="rounded-lg bg-red-50 p-3 text-sm text-red-700">
          {tErrors(outcome)}
        </p>
      ) : null}
      {editing === "new" ? (
        <ContentEditor
          action={savePostAction}
          hidden={{}}
          initial={{}}
          withVideo={false}
          onClose={() => setEditing(null)}
          testId="post-editor"
        />
      ) : (
        <Button
          type="button"
          variant="secondary"
          onClick={() => setEditing("new")}
          data-testid="content-post-add"
        >
          {t("add")}
        </Button>
      )}
      {posts.length === 0 ? <p className="text-sm text-stone-500">{t("empty")}</p> : null}
      <ul className="space-y-3">
        {posts.map((post) => (
          <li
            key={post.id}
            className="space-y-3 rounded-xl border border-stone-200 bg-white p-3 sm:p-4"
            data-testid="content-post"
            data-post-id={post.id}
          >
            <div className="flex flex-wrap items-center justify-between gap-2">
              <div className="min-w-0 space-y-1">
                <p className="font-medium break-words" data-testid="content-post-title">
                  {locale === "en" ? post.titleEn : post.titleZh}
                </p>
                <p className="text-xs text-stone-500" data-testid="content-post-status">
                  {post.publishedAt ? (
                    <span className="text-emerald-700">
                      {t("publishedAt", { when: when(post.publishedAt) })}
                    </span>
                  ) : (
                    <span className="rounded bg-amber-100 px-1.5 py-0.5 text-amber-800">
                      {t("draft")}
                    </span>
                  )}
                </p>
              </div>
              <div className="flex flex-wrap gap-2">
                <Button
                  type="button"
                  variant="secondary"
                  className="px-3 py-1"
                  onClick={() => setEditing(editing === post.id ? null : post.id)}
                  data-testid="content-post-edit"
                >
                  {t("edit")}
                </Button>
                <form action={publishAction}>
                  <input type="hidden" name="postId" value={post.id} />
                  <input
                    type="hidden"
                    name="published"
                    value={post.publishedAt ? "false" : "true"}
                  />
                  <Button
                    type="submit"
                    variant={post.publishedAt ? "secondary" : "primary"}
                    className="px-3 py-1"
                    disabled={publishing}
                    data-testid="content-post-publish"
                  >
                    {post.publishedAt ? t("unpublish") : t("publish")}
                  </Button>
                </form>
                <ContentDelete
                  confirming={confirming === post.id}
                  onAsk={() => setConfirming(post.id)}
                  onCancel={() => setConfirming(null)}
                  busy={removing}
                  testId="content-post-delete"
                  labels={{ delete: t("delete"), confirm: t("confirmDelete"), cancel: t("cancel") }}
                  confirm={{ action: removeAction, hidden: { postId: post.id } }}
                />
              </div>
            </div>
            {editing === post.id ? (
              <ContentEditor
                action={savePostAction}
                hidden={{ postId: post.id }}
                initial={{
                  titleZh: post.titleZh,
                  titleEn: post.titleEn,
                  bodyZh: post.bodyZh,
                  bodyEn: post.bodyEn,
                }}
                withVideo={false}
                onClose={() => setEditing(null)}
                testId="post-editor"
              />
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
