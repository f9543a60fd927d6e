import { createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { describe, expect, it } from "vitest";
import { rsa2Sign, rsa2Verify } from "./__fixtures__/stub-gateway";
import { normaliseAlipayKeys, normalisePublicKey, validateAlipayKeys } from "./keys";
import { isAlipayError } from "./types";

const app = generateKeyPairSync("rsa", { modulusLength: 2048 });
const alipay = generateKeyPairSync("rsa", { modulusLength: 2048 });
const alipayPublicPem = alipay.publicKey.export({ type: "spki", format: "pem" }).toString();

const pem = (key: KeyObject, type: "pkcs1" | "pkcs8") =>
  key.export({ type, format: "pem" }).toString();
const bare = (key: KeyObject, type: "pkcs1" | "pkcs8") =>
  key.export({ type, format: "der" }).toString("base64");

describe("normaliseAlipayKeys: the private key in all four forms", () => {
  it.each([
    ["PKCS#8 PEM", pem(app.privateKey, "pkcs8"), "PKCS8", "PRIVATE KEY"],
    ["PKCS#1 PEM", pem(app.privateKey, "pkcs1"), "PKCS1", "RSA PRIVATE KEY"],
    ["PKCS#8 bare base64", bare(app.privateKey, "pkcs8"), "PKCS8", "PRIVATE KEY"],
    ["PKCS#1 bare base64", bare(app.privateKey, "pkcs1"), "PKCS1", "RSA PRIVATE KEY"],
    [
      "PKCS#8 PEM on one .env line with \\n escapes and spaces",
      `  ${pem(app.privateKey, "pkcs8").trim().replaceAll("\n", "\\n")}  `,
      "PKCS8",
      "PRIVATE KEY",
    ],
    [
      "PKCS#1 PEM with CRLF line ends",
      pem(app.privateKey, "pkcs1").replaceAll("\n", "\r\n"),
      "PKCS1",
      "RSA PRIVATE KEY",
    ],
  ])("%s → %s", (_name, privateKey, keyType, label) => {
    const keys = normaliseAlipayKeys({ privateKey, alipayPublicKey: alipayPublicPem });
    expect(keys.keyType).toBe(keyType);
    expect(keys.privateKey.startsWith(`-----BEGIN ${label}-----\n`)).toBe(true);
    expect(keys.privateKey.endsWith(`-----END ${label}-----`)).toBe(true);
    // It signs, and the app's public key verifies it.
    const signature = rsa2Sign("a=1&b=2", keys.privateKey);
    const appPublic = app.publicKey.export({ type: "spki", format: "pem" }).toString();
    expect(rsa2Verify("a=1&b=2", signature, appPublic)).toBe(true);
  });

  it.each([
    ["SPKI PEM", alipayPublicPem],
    [
      "SPKI bare base64",
      alipay.publicKey.export({ type: "spki", format: "der" }).toString("base64"),
    ],
    [
      "PKCS#1 PEM (RSA PUBLIC KEY)",
      alipay.publicKey.export({ type: "pkcs1", format: "pem" }).toString(),
    ],
    [
      "PKCS#1 bare base64",
      alipay.publicKey.export({ type: "pkcs1", format: "der" }).toString("base64"),
    ],
  ])("Alipay's public key as %s → SPKI PEM", (_name, alipayPublicKey) => {
    const keys = normaliseAlipayKeys({ privateKey: pem(app.privateKey, "pkcs8"), alipayPublicKey });
    expect(keys.alipayPublicKey).toBe(alipayPublicPem.trim());
    expect(createPublicKey(keys.alipayPublicKey).asymmetricKeyType).toBe("rsa");
  });
});

describe("validateAlipayKeys", () => {
  const good = { privateKey: pem(app.privateKey, "pkcs8"), alipayPublicKey: alipayPublicPem };

  it("finds nothing wrong with a good pair", () => {
    expect(validateAlipayKeys(good)).toEqual([]);
  });

  it.each([
    ["garbage", "not a key"],
    ["an empty value", ""],
    ["a PEM with a wrong body", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"],
    [
      "a PKCS#1 body under a PKCS#8 label",
      `-----BEGIN PRIVATE KEY-----\n${bare(app.privateKey, "pkcs1")}\n-----END PRIVATE KEY-----`,
    ],
    ["a public key", alipayPublicPem],
    [
      "a 1024-bit key",
      generateKeyPairSync("rsa", { modulusLength: 1024 })
        .privateKey.export({ type: "pkcs8", format: "pem" })
        .toString(),
    ],
    [
      "an EC key",
      generateKeyPairSync("ec", { namedCurve: "P-256" })
        .privateKey.export({ type: "pkcs8", format: "pem" })
        .toString(),
    ],
  ])("names ALIPAY_PRIVATE_KEY for %s", (_name, privateKey) => {
    expect(validateAlipayKeys({ ...good, privateKey })).toEqual([
      "ALIPAY_PRIVATE_KEY does not parse as an RSA private key (2048-bit or more; PKCS#1 or PKCS#8, PEM or bare base64)",
    ]);
  });

  it.each([
    ["garbage", "MIIB"],
    ["a private key", pem(alipay.privateKey, "pkcs8")],
    ["a certificate label", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"],
  ])("names ALIPAY_PUBLIC_KEY for %s", (_name, alipayPublicKey) => {
    expect(validateAlipayKeys({ ...good, alipayPublicKey })).toEqual([
      "ALIPAY_PUBLIC_KEY does not parse as an RSA public key (2048-bit or more; PEM or bare base64)",
    ]);
  });

  it("catches the app's own public key in place of Alipay's", () => {
    const own = app.publicKey.export({ type: "spki", format: "pem" }).toString();
    expect(validateAlipayKeys({ ...good, alipayPublicKey: own })).toEqual([
      expect.stringMatching(/^ALIPAY_PUBLIC_KEY is the public half of ALIPAY_PRIVATE_KEY/),
    ]);
  });

  it("reports both keys at once, under the names given", () => {
    expect(
      validateAlipayKeys(
        { privateKey: "x", alipayPublicKey: "y" },
        { privateKey: "sandbox app key", alipayPublicKey: "sandbox Alipay key" },
      ),
    ).toEqual([
      expect.stringMatching(/^sandbox app key does not parse/),
      expect.stringMatching(/^sandbox Alipay key does not parse/),
    ]);
  });
});

describe("normaliseAlipayKeys errors", () => {
  it("throws invalid_config naming the variable", () => {
    try {
      normaliseAlipayKeys({ privateKey: "nope", alipayPublicKey: alipayPublicPem });
      expect.fail("expected a throw");
    } catch (error) {
      expect(isAlipayError(error) && error.code).toBe("invalid_config");
      expect((error as Error).message).toMatch(
        /^ALIPAY_PRIVATE_KEY does not parse as an RSA private key/,
      );
    }
  });

  it("normalisePublicKey never throws", () => {
    expect(normalisePublicKey("%%%")).toBeNull();
    expect(normalisePublicKey(alipayPublicPem)).toBe(alipayPublicPem.trim());
  });
});
