import "server-only";
import { generateKeyPairSync } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Db } from "../client";
import { alipaySandboxKeys } from "../schema";

/*
 * The Alipay sandbox's keys (sandbox mode only). The sandbox gateway verifies requests with the
 * app public key and signs responses and notifications with the "Alipay" private key; the shop's
 * client, configured from the same row, signs with the app private key and verifies with the
 * "Alipay" public key. Here, not in lib/sandbox, because the shop's runtime reads them too.
 */

export const SANDBOX_ALIPAY_APP_ID = "2021000000000001";
export const SANDBOX_ALIPAY_SELLER_ID = "2088000000000001";

export interface SandboxAlipayKeys {
  appId: string;
  /** PKCS#8 (`BEGIN PRIVATE KEY`): the SDK needs `keyType: 'PKCS8'`. */
  appPrivateKeyPem: string;
  /** SPKI (`BEGIN PUBLIC KEY`). */
  appPublicKeyPem: string;
  alipayPrivateKeyPem: string;
  alipayPublicKeyPem: string;
}

function newPair(): { privateKey: string; publicKey: string } {
  return generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
}

async function readKeys(db: Db): Promise<SandboxAlipayKeys | null> {
  const [row] = await db.select().from(alipaySandboxKeys).where(eq(alipaySandboxKeys.id, 1));
  return row ? keysOfRow(row) : null;
}

/** The keys of a stored row. */
export function keysOfRow(row: typeof alipaySandboxKeys.$inferSelect): SandboxAlipayKeys {
  return {
    appId: row.appId,
    appPrivateKeyPem: row.appPrivateKeyPem,
    appPublicKeyPem: row.appPublicKeyPem,
    alipayPrivateKeyPem: row.alipayPrivateKeyPem,
    alipayPublicKeyPem: row.alipayPublicKeyPem,
  };
}

/**
 * The key row, created on first use. Concurrent first uses may each generate a pair, but only
 * one insert wins (on conflict do nothing) and everybody returns the row that was stored.
 */
export async function ensureSandboxAlipayKeys(db: Db): Promise<SandboxAlipayKeys> {
  const existing = await readKeys(db);
  if (existing) return existing;
  const app = newPair();
  const alipay = newPair();
  await db
    .insert(alipaySandboxKeys)
    .values({
      id: 1,
      appId: SANDBOX_ALIPAY_APP_ID,
      appPrivateKeyPem: app.privateKey,
      appPublicKeyPem: app.publicKey,
      alipayPrivateKeyPem: alipay.privateKey,
      alipayPublicKeyPem: alipay.publicKey,
    })
    .onConflictDoNothing({ target: alipaySandboxKeys.id });
  const stored = await readKeys(db);
  if (!stored) throw new Error("the Alipay sandbox key row vanished after insert");
  return stored;
}
