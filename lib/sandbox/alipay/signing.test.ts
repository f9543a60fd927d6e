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

describe("parsed keys, kept by PEM", () => {
  const errorOf = (run: () => unknown): unknown => {
    try {
      run();
    } catch (error) {
      return error;
    }
    throw new Error("expected a throw");
  };

  it("sign and verify as with the PEM itself, again and again", () => {
    for (let i = 0; i < 3; i++) {
      const content = `n=${i}&中=文`;
      const direct = createSign("RSA-SHA256")
        .update(content, "utf8")
        .sign(pair.privateKey, "base64");
      // PKCS#1 v1.5 signatures are deterministic: a cached key must give the same bytes.
      expect(rsa2Sign(content, pair.privateKey)).toBe(direct);
      expect(rsa2Verify(content, direct, pair.publicKey)).toBe(true);
      expect(rsa2Verify(`${content}!`, direct, pair.publicKey)).toBe(false);
    }
  });

  it("a private key PEM still verifies (its public half), as node does", () => {
    const sign = rsa2Sign("a=1", pair.privateKey);
    expect(rsa2Verify("a=1", sign, pair.privateKey)).toBe(true);
  });

  it("an invalid PEM: verify false, sign throws node's own error, every time", () => {
    const sign = rsa2Sign("a=1", pair.privateKey);
    const direct = errorOf(() =>
      createSign("RSA-SHA256").update("a=1").sign("not a key", "base64"),
    );
    for (let i = 0; i < 2; i++) {
      expect(rsa2Verify("a=1", sign, "not a key")).toBe(false);
      expect(errorOf(() => rsa2Sign("a=1", "not a key"))).toEqual(direct);
      // A public key cannot sign, cached or not.
      expect(() => rsa2Sign("a=1", pair.publicKey)).toThrow();
    }
  });

  it("more keys than the cache holds still sign and verify", () => {
    const pairs = Array.from({ length: 20 }, () =>
      generateKeyPairSync("rsa", {
        modulusLength: 1024,
        publicKeyEncoding: { type: "spki", format: "pem" },
        privateKeyEncoding: { type: "pkcs8", format: "pem" },
      }),
    );
    for (let round = 0; round < 2; round++) {
      for (const [i, keys] of pairs.entries()) {
        const sign = rsa2Sign(`k=${i}`, keys.privateKey);
        expect(rsa2Verify(`k=${i}`, sign, keys.publicKey)).toBe(true);
        expect(rsa2Verify(`k=${i}`, sign, pair.publicKey)).toBe(false);
      }
    }
  });
});
