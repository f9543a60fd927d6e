import type { Metadata, Viewport } from "next";
import { NextIntlClientProvider } from "next-intl";
import { getLocale, getMessages, getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import { SiteHeader } from "@/components/layout/site-header";
import { Providers } from "@/components/providers";
import { pickNamespaces, SHOP_CLIENT_NAMESPACES } from "@/i18n/client-messages";
import { getEnv } from "@/lib/env";
import "./globals.css";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("meta");
  return {
    // Relative image and page URLs (share cards, canonical links) become absolute on APP_URL.
    metadataBase: new URL(getEnv().appUrl),
    title: { default: t("title"), template: `%s · ${t("title")}` },
    description: t("description"),
    applicationName: t("title"),
    appleWebApp: { title: t("title"), capable: true },
    openGraph: { siteName: t("title"), type: "website" },
  };
}

export const viewport: Viewport = {
  width: "device-width",
  initialScale: 1,
  themeColor: "#f0531c",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const [locale, messages] = await Promise.all([getLocale(), getMessages()]);
  return (
    <html lang={locale}>
      <body className="min-h-screen bg-stone-50 font-sans text-stone-900 antialiased">
        {/* Only what client components translate with: the rest stays on the server. */}
        <NextIntlClientProvider messages={pickNamespaces(messages, SHOP_CLIENT_NAMESPACES)}>
          <Providers>
            <SiteHeader />
            <main className="mx-auto w-full max-w-5xl px-4 py-6 sm:py-10">{children}</main>
          </Providers>
        </NextIntlClientProvider>
      </body>
    </html>
  );
}
