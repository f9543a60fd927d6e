import fontkit from "@pdf-lib/fontkit";
import { degrees, PDFDocument, rgb, type PDFFont, type PDFPage } from "pdf-lib";
import { drawableText, shippedFont } from "./font";

/*
 * The buyer's stamp on a sold PDF: one light footer line on every page naming the account and
 * the order, so a copy passed around says whose it was. It deters; it does not protect (anyone
 * can remove it), and it never blocks a download: a PDF that cannot be stamped is served as
 * uploaded (the caller logs it).
 */

import { STAMP_MAX_BYTES } from "./stamp-line";

export { STAMP_MAX_BYTES, STAMP_WORDS, stampLine } from "./stamp-line";

const FONT_SIZE = 7;
const MIN_FONT_SIZE = 4;
const GREY = rgb(0.6, 0.6, 0.6);
/** Distance of the baseline from the page's visible bottom edge, and of the text from its side. */
const BOTTOM = 10;
const SIDE = 24;

/**
 * `bytes` with `line` drawn at the foot of every page, or null when the PDF cannot be stamped:
 * encrypted, damaged, not a PDF, or larger than `STAMP_MAX_BYTES`. Characters the shipped font
 * lacks become `?`. The document's own metadata (producer, dates) is left as it was.
 */
export async function stampPdf(bytes: Uint8Array, line: string): Promise<Uint8Array | null> {
  if (bytes.byteLength > STAMP_MAX_BYTES) return null;
  let doc: PDFDocument;
  try {
    // Throws EncryptedPDFError for an encrypted file: stamping it would break it.
    doc = await PDFDocument.load(bytes, { updateMetadata: false });
  } catch {
    return null;
  }
  try {
    const { bytes: fontBytes, codePoints } = await shippedFont();
    doc.registerFontkit(fontkit);
    const font = await doc.embedFont(fontBytes, { subset: true });
    const text = drawableText(line, codePoints);
    for (const page of doc.getPages()) drawFooter(page, font, text);
    return await doc.save();
  } catch {
    // A document pdf-lib opened but cannot write back (broken objects, odd page trees).
    return null;
  }
}

/** The line along the bottom edge as the page is shown, whatever its /Rotate. */
function drawFooter(page: PDFPage, font: PDFFont, text: string): void {
  const box = page.getCropBox();
  const rotation = ((page.getRotation().angle % 360) + 360) % 360;
  const across = rotation === 90 || rotation === 270 ? box.height : box.width;
  let size = FONT_SIZE;
  const room = across - 2 * SIDE;
  const width = font.widthOfTextAtSize(text, size);
  if (width > room) size = Math.max(MIN_FONT_SIZE, (size * room) / width);

  const left = box.x;
  const right = box.x + box.width;
  const bottom = box.y;
  const top = box.y + box.height;
  // Shown rotated clockwise by `rotation`: the shown bottom edge is the unrotated page's
  // bottom (0), right (90), top (180) or left (270) edge; the text runs along it.
  const place = {
    0: { x: left + SIDE, y: bottom + BOTTOM, angle: 0 },
    90: { x: right - BOTTOM, y: bottom + SIDE, angle: 90 },
    180: { x: right - SIDE, y: top - BOTTOM, angle: 180 },
    270: { x: left + BOTTOM, y: top - SIDE, angle: 270 },
  }[rotation as 0 | 90 | 180 | 270] ?? { x: left + SIDE, y: bottom + BOTTOM, angle: 0 };

  page.drawText(text, {
    x: place.x,
    y: place.y,
    size,
    font,
    color: GREY,
    rotate: degrees(place.angle),
  });
}
