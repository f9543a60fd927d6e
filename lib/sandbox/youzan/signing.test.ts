import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { bodySign, eventSign, md5Hex } from "./signing";

describe("md5 signatures", () => {
  it("md5Hex matches the known vectors and concatenates its parts", () => {
    expect(md5Hex("")).toBe("d41d8cd98f00b204e9800998ecf8427e");
    expect(md5Hex("abc")).toBe("900150983cd24fb0d6963f7d28e17f72");
    expect(md5Hex("a", "b", "c")).toBe(md5Hex("abc"));
    expect(md5Hex(Buffer.from("ab"), "c")).toBe(md5Hex("abc"));
  });

  it("body sign = md5(client_id + encoded msg + secret)", () => {
    const expected = createHash("md5").update("cid%7B%22a%22%3A1%7Dsecret").digest("hex");
    expect(bodySign("cid", "%7B%22a%22%3A1%7D", "secret")).toBe(expected);
  });

  it("Event-Sign = md5(client_id + raw body bytes + secret), UTF-8", () => {
    const body = '{"kdt_name":"小铺","sendCount":0}';
    const expected = createHash("md5")
      .update(Buffer.concat([Buffer.from("cid"), Buffer.from(body, "utf8"), Buffer.from("s")]))
      .digest("hex");
    expect(eventSign("cid", body, "s")).toBe(expected);
    expect(eventSign("cid", Buffer.from(body, "utf8"), "s")).toBe(expected);
    // Re-serialising the JSON with other spacing changes the signature.
    expect(eventSign("cid", JSON.stringify(JSON.parse(body), null, 1), "s")).not.toBe(expected);
  });
});
