import { getTranslations } from "next-intl/server";
import { getEnv } from "@/lib/env";

/**
 * Sandbox mode only: the QR leads to this server's own pages, which a real phone reaches only if
 * APP_URL is an address it can open (README: paying from a real phone).
 */
export async function SandboxPhoneNote() {
  const env = getEnv();
  if (!env.isSandbox) return null;
  const t = await getTranslations("checkout.pay");
  return (
    <p
      className="rounded-lg bg-stone-100 p-3 text-xs break-words text-stone-600 sm:order-last"
      data-testid="sandbox-phone-note"
    >
      {t("sandboxPhone", { appUrl: env.appUrl })}
    </p>
  );
}
