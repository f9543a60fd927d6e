import { describe, expect, it } from "vitest";
import { csvAmount, csvInteger, csvLine, csvText, csvTime, CSV_BOM } from "./csv";

describe("CSV cells", () => {
  it("quotes only what needs it, doubling quotes inside", () => {
    expect(csvText("张三的小铺")).toBe("张三的小铺");
    expect(csvText('a "quoted" word')).toBe('"a ""quoted"" word"');
    expect(csvText("one, two")).toBe('"one, two"');
    expect(csvText("line\nbreak")).toBe('"line\nbreak"');
    expect(csvText("crlf\r\nbreak")).toBe('"crlf\r\nbreak"');
    expect(csvText(" padded")).toBe('" padded"');
    expect(csvText(null)).toBe("");
    expect(csvText(undefined)).toBe("");
    expect(csvText("")).toBe("");
  });

  it("keeps a spreadsheet from running buyer text as a formula", () => {
    expect(csvText('=HYPERLINK("http://evil")')).toBe('"\'=HYPERLINK(""http://evil"")"');
    expect(csvText("+86 138")).toBe("'+86 138");
    expect(csvText("-1")).toBe("'-1");
    expect(csvText("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvText("\tcmd")).toBe("'\tcmd");
    expect(csvText("a=b")).toBe("a=b");
  });

  it("writes amounts as numbers with two decimals, integers as integers", () => {
    expect(csvAmount(990)).toBe("9.90");
    expect(csvAmount(123456)).toBe("1234.56");
    expect(csvAmount(5)).toBe("0.05");
    expect(csvAmount(null)).toBe("");
    expect(csvInteger(200)).toBe("200");
    expect(csvInteger(null)).toBe("");
    expect(() => csvInteger(1.5)).toThrow(RangeError);
    expect(() => csvAmount(-1)).toThrow();
  });

  it("writes instants as Asia/Shanghai wall-clock times, across the UTC date line", () => {
    expect(csvTime(new Date("2026-11-30T16:00:00Z"))).toBe("2026-12-01 00:00:00");
    expect(csvTime(new Date("2026-12-31T15:59:59.999Z"))).toBe("2026-12-31 23:59:59");
    expect(csvTime(new Date("2028-02-28T16:30:05Z"))).toBe("2028-02-29 00:30:05");
    expect(csvTime(null)).toBe("");
  });

  it("ends lines with CRLF; the file starts with a byte-order mark", () => {
    expect(csvLine(["a", "9.90", ""])).toBe("a,9.90,\r\n");
    expect(CSV_BOM).toBe("\uFEFF");
  });
});
