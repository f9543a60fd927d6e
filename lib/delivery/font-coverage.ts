import "server-only";
import { deliverySeedTexts } from "@/db/seed-delivery";
import { COMMON_PUNCTUATION, PRINTABLE_ASCII } from "./font-charset";
import { stampLine, STAMP_WORDS } from "./pdf-stamp";

/**
 * Every text the shipped font must draw in full: printable ASCII, common punctuation, the stamp
 * line's words and the seeded books, lessons and post. `npm run font:subset` builds the font
 * from it (plus the common hanzi), and font.test.ts fails when the committed font lacks one of
 * its characters — after editing a seeded text, rerun the script.
 */
export function requiredFontText(): string[] {
  return [
    PRINTABLE_ASCII,
    COMMON_PUNCTUATION,
    stampLine({ email: "buyer@example.com", orderNo: "XP20260101ABCDEFGHJK" }),
    ...Object.values(STAMP_WORDS),
    ...deliverySeedTexts(),
  ];
}
