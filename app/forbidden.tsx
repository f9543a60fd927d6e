import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { buttonClass } from "@/components/ui/button";

export default async function Forbidden() {
  const t = await getTranslations("forbidden");
  return (
    <div className="mx-auto max-w-md space-y-4 py-12 text-center" data-testid="forbidden">
      <h1 className="text-2xl font-bold">{t("title")}</h1>
      <p className="text-stone-600">{t("body")}</p>
      <Link href="/" className={buttonClass("secondary")}>
        {t("home")}
      </Link>
    </div>
  );
}
