import { readFile } from "node:fs/promises";
import path from "node:path";
import fontkit from "@pdf-lib/fontkit";

/*
 * The one font the shop draws Chinese into PDFs with (stamp lines, generated e-books): a subset
 * of Noto Sans CJK SC (SIL OFL 1.1, licence beside it) shipped in the repository, because no
 * server, CI runner or serverless function can be counted on to have a CJK font installed. It is
 * read from the repository, never from the machine's font folders. Rebuilt by
 * `npm run font:subset` (scripts/make-font-subset.ts).
 *
 * The subset is desubroutinized CFF (no global or local subroutines): fontkit's CFF subsetter,
 * which pdf-lib uses to embed a subset of the font per document, mixes up the subroutines and
 * FD indexes of CID-keyed fonts whose glyphs use several FDs, and draws wrong or blank glyphs
 * (seen with Noto Sans CJK). Without subroutines there is nothing to mix up; the test beside this
 * file keeps it that way.
 */

/** Next bundles must carry this file (next.config.mjs `outputFileTracingIncludes`). */
export const SHIPPED_FONT_FILE = path.join(
  process.cwd(),
  "lib",
  "delivery",
  "fonts",
  "xiaopu-sc-subset.otf",
);

export interface ShippedFont {
  bytes: Uint8Array;
  /** The code points the font has a glyph for; others are drawn as `?` by the callers. */
  codePoints: ReadonlySet<number>;
}

// Plain data read once per process (about 0.8 MB); a failed read is retried next time.
let loading: Promise<ShippedFont> | undefined;

export function shippedFont(): Promise<ShippedFont> {
  loading ??= readFile(SHIPPED_FONT_FILE).then(
    (buffer) => {
      const bytes = new Uint8Array(buffer);
      return { bytes, codePoints: new Set(fontkit.create(bytes).characterSet) };
    },
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}

/** `text` with every character the font cannot draw (and every control character) as `?`. */
export function drawableText(text: string, codePoints: ReadonlySet<number>): string {
  let out = "";
  for (const char of text) {
    const code = char.codePointAt(0)!;
    out += code === 0x20 || (code > 0x20 && codePoints.has(code)) ? char : "?";
  }
  return out;
}
