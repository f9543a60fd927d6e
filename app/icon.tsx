import { ImageResponse } from "next/og";
import { ShopMark } from "@/lib/shop/artwork";

// The app icon (browsers, the web manifest), rendered once at build time.
export const size = { width: 512, height: 512 };
export const contentType = "image/png";

export default function Icon() {
  return new ImageResponse(<ShopMark size={512} />, size);
}
