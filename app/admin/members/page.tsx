import { getLocale, getTranslations } from "next-intl/server";
import { ContentFiles } from "@/components/admin/content-files";
import { ContentPosts } from "@/components/admin/content-posts";
import { getDb } from "@/db";
import { listFiles, listPosts } from "@/db/queries/admin-content";
import { toLocale } from "@/i18n/locales";
import { fileJson } from "@/lib/admin/content-file-json";
import { requireAdmin } from "@/lib/auth/guards";
import { getEnv } from "@/lib/env";

/**
 * /admin/members: the members' area (issue #12), open to every buyer with a running membership
 * of any plan — its posts (drafts and published) and its files.
 */
export default async function MembersAreaPage() {
  await requireAdmin();
  const db = await getDb();
  const [t, locale, posts, files] = await Promise.all([
    getTranslations("admin.content.members"),
    getLocale().then(toLocale),
    listPosts(db),
    listFiles(db, null),
  ]);
  return (
    <div className="max-w-3xl space-y-8">
      <div className="space-y-2">
        <h1 className="text-2xl font-bold">{t("title")}</h1>
        <p className="text-sm text-stone-600">{t("hint")}</p>
      </div>
      <ContentPosts
        locale={locale}
        posts={posts.map((post) => ({
          id: post.id,
          titleZh: post.titleZh,
          titleEn: post.titleEn,
          bodyZh: post.bodyZh,
          bodyEn: post.bodyEn,
          publishedAt: post.publishedAt?.toISOString() ?? null,
          updatedAt: post.updatedAt.toISOString(),
        }))}
      />
      <ContentFiles
        target={{ kind: "members" }}
        files={files.map(fileJson)}
        maxMb={Math.floor(getEnv().uploadMaxBytes / (1024 * 1024))}
      />
    </div>
  );
}
