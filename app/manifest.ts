import type { MetadataRoute } from "next";
import { getTranslations } from "next-intl/server";

/** The web manifest: the shop can be added to a phone's home screen with its name and icon. */
export default async function manifest(): Promise<MetadataRoute.Manifest> {
  const t = await getTranslations("meta");
  return {
    name: t("title"),
    short_name: t("title"),
    description: t("description"),
    start_url: "/",
    display: "standalone",
    background_color: "#fafaf9",
    theme_color: "#f0531c",
    icons: [{ src: "/icon", sizes: "512x512", type: "image/png", purpose: "any" }],
  };
}
