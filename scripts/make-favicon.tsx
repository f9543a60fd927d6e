import { writeFileSync } from "node:fs";
import { ImageResponse } from "next/og";
import { ShopMark } from "@/lib/shop/artwork";

/*
 * `npx tsx scripts/make-favicon.tsx`: writes app/favicon.ico (committed) from the same mark as
 * app/icon.tsx. Browsers and crawlers ask for /favicon.ico whatever the page declares. An ICO
 * may hold PNG images: a 6-byte header, a 16-byte entry per image, then the PNGs.
 */
const SIZES = [16, 32, 48];

const pngs = await Promise.all(
  SIZES.map(async (size) =>
    Buffer.from(
      await new ImageResponse(<ShopMark size={size} />, {
        width: size,
        height: size,
      }).arrayBuffer(),
    ),
  ),
);
const header = Buffer.alloc(6);
header.writeUInt16LE(0, 0); // reserved
header.writeUInt16LE(1, 2); // 1: icon
header.writeUInt16LE(SIZES.length, 4);
let offset = 6 + 16 * SIZES.length;
const entries = SIZES.map((size, i) => {
  const entry = Buffer.alloc(16);
  entry.writeUInt8(size % 256, 0); // width (0 means 256)
  entry.writeUInt8(size % 256, 1); // height
  entry.writeUInt8(0, 2); // no palette
  entry.writeUInt8(0, 3); // reserved
  entry.writeUInt16LE(1, 4); // colour planes
  entry.writeUInt16LE(32, 6); // bits per pixel
  entry.writeUInt32LE(pngs[i]!.length, 8);
  entry.writeUInt32LE(offset, 12);
  offset += pngs[i]!.length;
  return entry;
});
writeFileSync("app/favicon.ico", Buffer.concat([header, ...entries, ...pngs]));
console.log(`app/favicon.ico: ${SIZES.join(", ")} px, ${offset} bytes`);
