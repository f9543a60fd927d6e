import type { Metadata } from "next";
import Link from "next/link";
import { forbidden, notFound } from "next/navigation";
import { getLocale, getTranslations } from "next-intl/server";
import { Markdown } from "@/components/content/markdown";
import { buttonClass } from "@/components/ui/button";
import { getDb } from "@/db";
import { contentGrantState, courseBySlug, findLesson } from "@/db/queries/delivery";
import { pick, toLocale } from "@/i18n/locales";
import { requireUser } from "@/lib/auth/guards";
import { isShopId, isSlugShape, productAccess } from "@/lib/delivery/access";

interface Params {
  params: Promise<{ product: string; lesson: string }>;
}

/** The lesson and its course, or a 404 for anything that does not name one. */
async function lessonOf(productSlug: string, lessonId: string) {
  if (!isSlugShape(productSlug) || !isShopId(lessonId, "les")) notFound();
  const db = await getDb();
  const [course, lesson] = await Promise.all([
    courseBySlug(db, productSlug),
    findLesson(db, lessonId),
  ]);
  if (!course || !lesson || lesson.productId !== course.product.id) notFound();
  return { db, course, lesson };
}

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { product, lesson } = await params;
  const t = await getTranslations("learn");
  // The title names nothing before the grant is checked (the page itself checks it).
  return { title: isSlugShape(product) && isShopId(lesson, "les") ? t("title") : undefined };
}

/**
 * One lesson of a course, for a buyer who owns the course at this moment (a refund takes it
 * away at once) or the owner. 404 for a course or lesson that does not exist, 403 otherwise.
 */
export default async function LessonPage({ params }: Params) {
  const { product: productSlug, lesson: lessonId } = await params;
  const user = await requireUser(`/learn/${productSlug}/${lessonId}`);
  const { db, course, lesson } = await lessonOf(productSlug, lessonId);
  const access = productAccess(user, await contentGrantState(db, user.id, course.product.id));
  if (access.kind === "refused") forbidden();

  const [t, locale] = await Promise.all([getTranslations("learn"), getLocale().then(toLocale)]);
  const index = course.lessons.findIndex((row) => row.id === lesson.id);
  const previous = index > 0 ? course.lessons[index - 1] : undefined;
  const next = index >= 0 ? course.lessons[index + 1] : undefined;
  const href = (id: string) => `/learn/${course.product.slug}/${id}`;

  return (
    <div className="mx-auto grid max-w-4xl gap-6 md:grid-cols-[minmax(0,1fr)_14rem]">
      <Link
        href="/account/library"
        className="text-sm text-brand-600 underline md:col-span-2"
        data-testid="lesson-back"
      >
        {t("back")}
      </Link>
      <article className="min-w-0 space-y-4" data-testid="lesson">
        <p className="text-sm text-stone-500">
          {[
            pick(locale, course.product.nameZh, course.product.nameEn),
            t("position", { n: index + 1, total: course.lessons.length }),
          ].join(" · ")}
        </p>
        <h1 className="break-words text-2xl font-bold" data-testid="lesson-title">
          {pick(locale, lesson.titleZh, lesson.titleEn)}
        </h1>
        {lesson.videoUrl ? (
          <div className="space-y-1">
            <video
              controls
              preload="none"
              src={lesson.videoUrl}
              className="aspect-video w-full rounded-xl bg-black"
            />
            <a
              href={lesson.videoUrl}
              target="_blank"
              rel="noopener noreferrer"
              className="text-xs text-brand-600 underline"
            >
              {t("openVideo")}
            </a>
          </div>
        ) : null}
        <Markdown source={pick(locale, lesson.bodyZh, lesson.bodyEn)} />
        <nav className="flex flex-wrap justify-between gap-3 border-t border-stone-200 pt-4">
          {previous ? (
            <Link href={href(previous.id)} className={buttonClass("secondary")}>
              {`← ${pick(locale, previous.titleZh, previous.titleEn)}`}
            </Link>
          ) : (
            <span />
          )}
          {next ? (
            <Link href={href(next.id)} className={buttonClass("primary")} data-testid="next-lesson">
              {`${pick(locale, next.titleZh, next.titleEn)} →`}
            </Link>
          ) : null}
        </nav>
      </article>
      <aside className="order-first md:order-none md:row-start-2 md:col-start-2">
        <p className="mb-2 text-sm font-semibold">{t("contents")}</p>
        <ol className="space-y-1 text-sm">
          {course.lessons.map((row, position) => (
            <li key={row.id}>
              <Link
                href={href(row.id)}
                aria-current={row.id === lesson.id ? "page" : undefined}
                className={`block rounded-lg px-2 py-1 ${row.id === lesson.id ? "bg-brand-50 font-medium text-brand-700" : "text-stone-700 hover:bg-stone-100"}`}
              >
                {`${position + 1}. ${pick(locale, row.titleZh, row.titleEn)}`}
              </Link>
            </li>
          ))}
        </ol>
      </aside>
    </div>
  );
}
