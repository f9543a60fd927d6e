import { describe, expect, it } from "vitest";
import { decodeMsg, encodeMsg } from "./encoding";

const sample = JSON.stringify({
  tid: "E20260301100000123456789",
  update_time: "2026-03-01 10:00:00",
  orders: [1, 2],
  title: "电子书 + 课程/第1期 50% off! (*~')",
});

describe("push msg encoding", () => {
  it("form style (2021): Java URLEncoder — space → +, : , [ ] / escaped", () => {
    expect(encodeMsg('{"a":"b c","d":[1,2]}', "form")).toBe(
      "%7B%22a%22%3A%22b+c%22%2C%22d%22%3A%5B1%2C2%5D%7D",
    );
    expect(encodeMsg("电", "form")).toBe("%E7%94%B5");
    // Only A-Z a-z 0-9 . - * _ stay literal.
    expect(encodeMsg("a.b-c*d_e!f~g'h(i)/+", "form")).toBe("a.b-c*d_e%21f%7Eg%27h%28i%29%2F%2B");
  });

  it("uri style (2018): encodeURI-like — space → %20, : , / [ ] literal", () => {
    expect(encodeMsg('{"a":"b c","d":[1,2]}', "uri")).toBe(
      "%7B%22a%22:%22b%20c%22,%22d%22:[1,2]%7D",
    );
    expect(encodeMsg("电", "uri")).toBe("%E7%94%B5");
  });

  it("a PHP-urldecode-style decoder recovers the JSON from both styles", () => {
    expect(decodeMsg(encodeMsg(sample, "form"))).toBe(sample);
    // The uri style keeps a literal "+" from the content, which that decoder turns into a space:
    // the 2018 trap. Without "+" in the content it round-trips.
    const noPlus = sample.replace(" + ", " & ");
    expect(decodeMsg(encodeMsg(noPlus, "uri"))).toBe(noPlus);
    expect(decodeURIComponent(encodeMsg(sample, "uri"))).toBe(sample);
  });

  it("a plain decodeURIComponent leaves + in form-style dates", () => {
    const decoded = JSON.parse(decodeURIComponent(encodeMsg(sample, "form"))) as {
      update_time: string;
    };
    expect(decoded.update_time).toBe("2026-03-01+10:00:00");
  });
});
