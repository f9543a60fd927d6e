/*
 * The characters the shipped font subset (lib/delivery/fonts/) must draw. Read by the script that
 * builds it (scripts/make-font-subset.ts) and by the test that checks it. Pure.
 */

/** U+0020–U+007E: e-mail addresses, order numbers, page numbers, Latin words. */
export const PRINTABLE_ASCII = String.fromCharCode(
  ...Array.from({ length: 0x7f - 0x20 }, (_, i) => 0x20 + i),
);

/** Chinese punctuation used in running text and in the stamp line (· between its parts). */
export const COMMON_PUNCTUATION = "，。：；、！？“”‘’（）《》〈〉【】「」『』·—–…～￥％＋－";

/**
 * The 3,755 level-1 hanzi of GB 2312 (rows 16–55, "常用汉字"), decoded from the encoding itself
 * so the build needs no data file. It stands in for level 1 of the 通用规范汉字表 (3,500
 * characters, not available offline here), with which it shares almost every character: the
 * common characters an owner is likely to type into a seed text or a buyer into an e-mail.
 */
export function gb2312Level1(): string {
  const decoder = new TextDecoder("gb18030", { fatal: true });
  let out = "";
  for (let row = 0xb0; row <= 0xd7; row++) {
    // Row 55 (0xD7) ends at 0xF9: its last five cells are empty.
    const last = row === 0xd7 ? 0xf9 : 0xfe;
    for (let cell = 0xa1; cell <= last; cell++) out += decoder.decode(new Uint8Array([row, cell]));
  }
  return out;
}

/** Every distinct code point of the texts, ascending; line breaks and other controls dropped. */
export function distinctCodePoints(...texts: readonly string[]): number[] {
  const seen = new Set<number>();
  for (const text of texts) {
    for (const char of text) {
      const code = char.codePointAt(0)!;
      if (code >= 0x20 && !(code >= 0x7f && code < 0xa0)) seen.add(code);
    }
  }
  return [...seen].sort((a, b) => a - b);
}
