import { describe, expect, it } from "vitest";
import { attachmentDisposition } from "./content-disposition";

/** The two parameters of the header, decoded as a browser reads them (RFC 6266 §4.3). */
function parse(header: string): { fallback: string; name: string } {
  const match = /^attachment; filename="([^"\\]*)"; filename\*=UTF-8''([^\s;"]*)$/.exec(header);
  if (!match) return expect.fail(`not an attachment header: ${header}`);
  return { fallback: match[1] ?? "", name: decodeURIComponent(match[2] ?? "") };
}

describe("attachmentDisposition", () => {
  it("carries a Chinese name in filename* and an ASCII fallback that keeps the extension", () => {
    const header = attachmentDisposition("一个人的副业手册.pdf");
    expect(header).toBe(
      "attachment; filename=\"download.pdf\"; filename*=UTF-8''%E4%B8%80%E4%B8%AA%E4%BA%BA%E7%9A%84%E5%89%AF%E4%B8%9A%E6%89%8B%E5%86%8C.pdf",
    );
    expect(parse(header)).toEqual({ fallback: "download.pdf", name: "一个人的副业手册.pdf" });
  });

  it("keeps the ASCII of a mixed name in the fallback and the whole name in filename*", () => {
    expect(parse(attachmentDisposition("第2版 Side Business 手册 v2.epub"))).toEqual({
      fallback: "2_ Side Business _ v2.epub",
      name: "第2版 Side Business 手册 v2.epub",
    });
  });

  it("percent-encodes what RFC 5987 attr-char does not allow, ' ( ) * included", () => {
    const header = attachmentDisposition("it's (final) *draft* 100%.pdf");
    const encoded = header.split("filename*=UTF-8''")[1] ?? "";
    expect(encoded).toBe("it%27s%20%28final%29%20%2Adraft%2A%20100%25.pdf");
    // Only attr-chars and %XX: nothing that ends the parameter or the header.
    expect(encoded).toMatch(/^([A-Za-z0-9!#$&+\-.^_`|~]|%[0-9A-F]{2})+$/);
    expect(parse(header).name).toBe("it's (final) *draft* 100%.pdf");
  });

  it("keeps quotes, backslashes and percent signs out of the quoted fallback", () => {
    const header = attachmentDisposition('a "quoted" \\name\\ 50%.pdf');
    const { fallback, name } = parse(header);
    expect(fallback).toBe("a _quoted_ _name_ 50.pdf");
    // Path separators become `_`: the saved file cannot land in another folder.
    expect(name).toBe('a "quoted" _name_ 50%.pdf');
  });

  it.each([
    ["report.pdf\r\nSet-Cookie: a=b", "report.pdfSet-Cookie: a=b"],
    ['x.pdf"; filename="evil.exe', 'x.pdf"; filename="evil.exe'],
    ["手册\u0000.pdf\n", "手册.pdf"],
    ["invoice\u202Efdp.exe", "invoicefdp.exe"],
  ])("cannot be broken out of by %j", (input, expectedName) => {
    const header = attachmentDisposition(input);
    expect(header).not.toMatch(/[\r\n\u0000-\u001f\u007f]/);
    expect(header).toMatch(/^[\x20-\x7e]+$/);
    // Exactly the two parameters (parse() is anchored), whatever the name held.
    expect(parse(header).fallback).not.toMatch(/["\\]/);
    expect(parse(header).name).toBe(expectedName);
  });

  it("falls back to download for an empty, dot-only or unprintable name", () => {
    for (const input of ["", "   ", "...", "\r\n"]) {
      expect(parse(attachmentDisposition(input))).toEqual({
        fallback: "download",
        name: "download",
      });
    }
  });

  it("survives a lone surrogate and shortens a very long name, keeping the extension", () => {
    expect(parse(attachmentDisposition("a\ud800b.pdf")).name).toBe("a\ufffdb.pdf");
    const long = parse(attachmentDisposition(`${"长".repeat(500)}.pdf`)).name;
    expect([...long]).toHaveLength(180);
    expect(long.endsWith("长.pdf")).toBe(true);
  });
});
