import { createSign, createVerify, generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { notifySignContent, requestSignContent, rsa2Sign, rsa2Verify } from "./signing";

const pair = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
});

describe("sign content (spec §3.1, §3.3)", () => {
  const params = {
    timestamp: "2026-03-01 10:00:00",
    app_id: "2021000000000001",
    method: "alipay.trade.pay",
    sign_type: "RSA2",
    sign: "xxx",
    return_url: "",
    biz_content: '{"a":"中文/b"}',
  };

  it("requests: sorted, raw values, empty skipped, sign excluded, sign_type included", () => {
    expect(requestSignContent(params)).toBe(
      'app_id=2021000000000001&biz_content={"a":"中文/b"}&method=alipay.trade.pay&sign_type=RSA2&timestamp=2026-03-01 10:00:00',
    );
  });

  it("notifications also exclude sign_type", () => {
    expect(notifySignContent(params)).not.toContain("sign_type");
    expect(notifySignContent(params)).toContain("app_id=");
  });
});

describe("RSA2", () => {
  it("signs with SHA256withRSA that node:crypto verifies, and verifies what it signs", () => {
    const sign = rsa2Sign("a=1&b=中", pair.privateKey);
    expect(Buffer.from(sign, "base64")).toHaveLength(256);
    expect(
      createVerify("RSA-SHA256").update("a=1&b=中", "utf8").verify(pair.publicKey, sign, "base64"),
    ).toBe(true);
    const theirs = createSign("RSA-SHA256").update("x=y").sign(pair.privateKey, "base64");
    expect(rsa2Verify("x=y", theirs, pair.publicKey)).toBe(true);
    expect(rsa2Verify("x=z", theirs, pair.publicKey)).toBe(false);
    expect(rsa2Verify("x=y", "not base64!", pair.publicKey)).toBe(false);
    expect(rsa2Verify("x=y", theirs, "not a key")).toBe(false);
  });
});
