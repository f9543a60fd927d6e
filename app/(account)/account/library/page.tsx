import type { Metadata } from "next";
import Link from "next/link";
import { getFormatter, getLocale, getTranslations } from "next-intl/server";
import { CreditBalancePanel } from "@/components/credits/credit-balance-panel";
import { FileList } from "@/components/delivery/file-list";
import { Card } from "@/components/ui/card";
import { getDb } from "@/db";
import { downloadsToday, membersArea, membershipState, ownedProducts } from "@/db/queries/delivery";
import { pick, toLocale } from "@/i18n/locales";
import { requireUser } from "@/lib/auth/guards";
import { shanghaiDate } from "@/lib/clock";
import { creditSummary } from "@/lib/credits/ledger";
import { DOWNLOAD_NOTICES } from "@/lib/delivery/download";
import { getEnv } from "@/lib/env";
import { getClock } from "@/lib/now";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("library"))("title") };
}

/**
 * What the buyer owns and nothing else: the one-off products with a live grant (their files and
 * lessons), the members' area while a membership runs, and the credit balance. Read at request
 * time: a refund or an ended membership removes things from here at once.
 */
export default async function LibraryPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const user = await requireUser("/account/library");
  const { download } = await searchParams;
  const notice = DOWNLOAD_NOTICES.find((known) => known === download);
  const db = await getDb();
  const now = await (await getClock()).now();
  const [t, format, locale, owned, membership, counts, credits] = await Promise.all([
    getTranslations("library"),
    getFormatter(),
    getLocale().then(toLocale),
    ownedProducts(db, user.id),
    membershipState(db, user.id, now),
    downloadsToday(db, user.id, shanghaiDate(now)),
    creditSummary(db, user.id),
  ]);
  const members = membership.state === "running" ? await membersArea(db, now) : null;
  const perDay = getEnv().downloadsPerDay;
  const day = (date: Date) =>
    format.dateTime(date, { dateStyle: "medium", timeZone: "Asia/Shanghai" });
  const nothing = owned.length === 0 && membership.state === "none" && !credits.hasLedger;

  return (
    <div className="mx-auto max-w-2xl space-y-6">
      <h1 className="text-2xl font-bold">{t("title")}</h1>
      {notice ? (
        <p
          role="alert"
          className="rounded-xl bg-amber-50 p-3 text-sm text-amber-900"
          data-testid="download-notice"
          data-notice={notice}
        >
          {t(`notice.${notice}`)}
        </p>
      ) : null}
      {nothing ? (
        <p className="text-stone-600" data-testid="library-empty">
          {t("empty")}{" "}
          <Link href="/" className="text-brand-600 underline">
            {t("browse")}
          </Link>
        </p>
      ) : null}

      {owned.length > 0 ? (
        <section className="space-y-3" aria-labelledby="library-purchases">
          <h2 id="library-purchases" className="text-lg font-semibold">
            {t("purchases")}
          </h2>
          {owned.map(({ product, orderNo, paidAt, files, lessons }) => (
            <Card key={product.id} data-testid="library-product" data-slug={product.slug}>
              <h3 className="break-words text-base font-semibold">
                {pick(locale, product.nameZh, product.nameEn)}
              </h3>
              <p className="mb-3 text-xs text-stone-500">
                {paidAt ? `${t("paidOn", { date: day(paidAt) })} · ` : ""}
                <span className="font-mono">{orderNo}</span>
              </p>
              <div className="space-y-3">
                <FileList files={files} downloadsToday={counts} perDay={perDay} />
                {lessons.length > 0 ? (
                  <div>
                    <p className="mb-1 text-sm font-medium">
                      {t("lessons", { count: lessons.length })}
                    </p>
                    <ol className="divide-y divide-stone-100 rounded-xl border border-stone-200">
                      {lessons.map((lesson, index) => (
                        <li key={lesson.id}>
                          <Link
                            href={`/learn/${product.slug}/${lesson.id}`}
                            className="flex gap-3 p-3 text-sm hover:bg-stone-50"
                            data-testid="library-lesson"
                          >
                            <span className="text-stone-400 tabular-nums">{index + 1}</span>
                            <span className="break-words">
                              {pick(locale, lesson.titleZh, lesson.titleEn)}
                            </span>
                          </Link>
                        </li>
                      ))}
                    </ol>
                  </div>
                ) : null}
                {files.length === 0 && lessons.length === 0 ? (
                  <p className="text-sm text-stone-500">{t("nothingYet")}</p>
                ) : null}
              </div>
            </Card>
          ))}
          {owned.some(({ files }) => files.some((f) => f.contentType === "application/pdf")) ? (
            <p className="text-xs text-stone-500">{t("stampNote")}</p>
          ) : null}
        </section>
      ) : null}

      {membership.state !== "none" ? (
        <section className="space-y-3" aria-labelledby="library-members">
          <h2 id="library-members" className="text-lg font-semibold">
            {t("members")}
          </h2>
          {members && membership.state === "running" ? (
            <Card data-testid="library-members">
              <p className="mb-3 text-sm text-emerald-700">
                {t("membersUntil", { date: day(membership.expiresAt) })}
              </p>
              <div className="space-y-3">
                {members.posts.length > 0 ? (
                  <ul className="divide-y divide-stone-100 rounded-xl border border-stone-200">
                    {members.posts.map((post) => (
                      <li key={post.id}>
                        <Link
                          href={`/account/library/posts/${post.id}`}
                          className="flex flex-wrap justify-between gap-2 p-3 text-sm hover:bg-stone-50"
                          data-testid="library-post"
                        >
                          <span className="break-words font-medium">
                            {pick(locale, post.titleZh, post.titleEn)}
                          </span>
                          {post.publishedAt ? (
                            <span className="text-xs text-stone-500">{day(post.publishedAt)}</span>
                          ) : null}
                        </Link>
                      </li>
                    ))}
                  </ul>
                ) : (
                  <p className="text-sm text-stone-500">{t("noPosts")}</p>
                )}
                <FileList files={members.files} downloadsToday={counts} perDay={perDay} />
              </div>
            </Card>
          ) : (
            <Card data-testid="library-members-expired">
              <p className="text-sm text-stone-600">
                {membership.state === "expired" && membership.expiredAt
                  ? t("membersExpired", { date: day(membership.expiredAt) })
                  : t("membersNotRunning")}{" "}
                <Link href="/account/membership" className="text-brand-600 underline">
                  {t("membership")}
                </Link>
              </p>
            </Card>
          )}
        </section>
      ) : null}

      <CreditBalancePanel userId={user.id} summary={credits} />
    </div>
  );
}
