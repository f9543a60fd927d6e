import type { Metadata } from "next";
import Link from "next/link";
import { forbidden, notFound } from "next/navigation";
import { getFormatter, getLocale, getTranslations } from "next-intl/server";
import { Markdown } from "@/components/content/markdown";
import { getDb } from "@/db";
import { findPublishedPost, membershipState } from "@/db/queries/delivery";
import { pick, toLocale } from "@/i18n/locales";
import { requireUser } from "@/lib/auth/guards";
import { isShopId, membersAccess } from "@/lib/delivery/access";
import { getClock } from "@/lib/now";

interface Params {
  params: Promise<{ postId: string }>;
}

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("library"))("members") };
}

/** A members' post: while a membership runs (any plan), or for the owner. */
export default async function MemberPostPage({ params }: Params) {
  const { postId } = await params;
  const user = await requireUser(`/account/library/posts/${postId}`);
  if (!isShopId(postId, "pst")) notFound();
  const db = await getDb();
  const now = await (await getClock()).now();
  const post = await findPublishedPost(db, postId, now);
  if (!post) notFound();
  if (membersAccess(user, await membershipState(db, user.id, now)).kind === "refused") forbidden();
  const [t, format, locale] = await Promise.all([
    getTranslations("library"),
    getFormatter(),
    getLocale().then(toLocale),
  ]);
  return (
    <article className="mx-auto max-w-2xl space-y-4" data-testid="member-post">
      <Link href="/account/library" className="text-sm text-brand-600 underline">
        {t("backToLibrary")}
      </Link>
      <h1 className="break-words text-2xl font-bold">{pick(locale, post.titleZh, post.titleEn)}</h1>
      {post.publishedAt ? (
        <p className="text-xs text-stone-500">
          {format.dateTime(post.publishedAt, { dateStyle: "medium", timeZone: "Asia/Shanghai" })}
        </p>
      ) : null}
      <Markdown source={pick(locale, post.bodyZh, post.bodyEn)} />
    </article>
  );
}
