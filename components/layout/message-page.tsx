import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { buttonClass } from "@/components/ui/button";

/** A full-page message with a way home: 403 and 404 pages. */
export async function MessagePage({
  namespace,
  testId,
}: {
  namespace: "forbidden" | "notFound";
  testId?: string;
}) {
  const t = await getTranslations(namespace);
  return (
    <div className="mx-auto max-w-md space-y-4 py-12 text-center" data-testid={testId}>
      <h1 className="text-2xl font-bold">{t("title")}</h1>
      <p className="text-stone-600">{t("body")}</p>
      <Link href="/" className={buttonClass("secondary")}>
        {t("home")}
      </Link>
    </div>
  );
}
