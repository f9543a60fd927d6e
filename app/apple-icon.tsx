import { ImageResponse } from "next/og";
import { ShopMark } from "@/lib/shop/artwork";

// "Add to home screen" on iOS: 180 × 180, rendered once at build time.
export const size = { width: 180, height: 180 };
export const contentType = "image/png";

export default function AppleIcon() {
  return new ImageResponse(<ShopMark size={180} />, size);
}
