import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

/**
 * Password hashes are `scrypt$N$r$p$salt$hash` (base64url parts), so the cost can be raised
 * later without invalidating stored hashes.
 */
const COST = { N: 16384, r: 8, p: 1 } as const;
const KEY_LENGTH = 64;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize("NFKC"),
      salt,
      KEY_LENGTH,
      { ...options, maxmem: 64 * 1024 * 1024 },
      (err, key) => (err ? reject(err) : resolve(key)),
    );
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, COST);
  return [
    "scrypt",
    COST.N,
    COST.r,
    COST.p,
    salt.toString("base64url"),
    key.toString("base64url"),
  ].join("$");
}

/** Costs we would ever have written: N a power of two up to 2^20, small r and p. */
function usableCost({ N, r, p }: { N: number; r: number; p: number }): boolean {
  const int = (x: number, max: number) => Number.isSafeInteger(x) && x >= 1 && x <= max;
  return int(N, 2 ** 20) && N >= 2 && (N & (N - 1)) === 0 && int(r, 32) && int(p, 16);
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [, n, r, p, saltText, keyText] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(keyText, "base64url");
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  if (expected.length !== KEY_LENGTH || !usableCost(cost)) return false;
  try {
    const actual = await derive(password, Buffer.from(saltText, "base64url"), cost);
    return timingSafeEqual(actual, expected);
  } catch {
    // A stored hash scrypt refuses is a hash nobody can match, not a server error.
    return false;
  }
}

/**
 * Compared against when the email is unknown, so that a wrong email costs as much time as a
 * wrong password and response times do not reveal which accounts exist.
 */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(16).toString("hex"));
  return dummyHash;
}
