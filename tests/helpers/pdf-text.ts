import { extractText, getDocumentProxy } from "unpdf";

/*
 * What a PDF says, as a reader's text layer sees it (pdf.js through unpdf): the text comes from
 * each font's ToUnicode map, so a stamp drawn with the wrong glyph mapping fails here.
 */

async function open(bytes: Uint8Array) {
  // pdf.js takes ownership of (detaches) the buffer it is given: hand it a copy. Verbosity 0
  // (errors only): pdf.js warns that it cannot sniff the bare CFF pdf-lib embeds, then uses the
  // type the PDF declares (CIDFontType0C), which is right.
  return getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 });
}

/** All pages' text, one page after another, separated by a blank line. */
export async function pdfText(bytes: Uint8Array): Promise<string> {
  return (await pdfPageTexts(bytes)).join("\n\n");
}

/** Each page's text, in page order. */
export async function pdfPageTexts(bytes: Uint8Array): Promise<string[]> {
  const pdf = await open(bytes);
  try {
    const { text } = await extractText(pdf, { mergePages: false });
    return text;
  } finally {
    await pdf.destroy();
  }
}

export async function pdfPageCount(bytes: Uint8Array): Promise<number> {
  const pdf = await open(bytes);
  try {
    return pdf.numPages;
  } finally {
    await pdf.destroy();
  }
}
