import { isIP } from "node:net";

import { getEnv } from "@/lib/env";

/**
 * The one place that decides which address a request came from (sign-in throttle, rate limits,
 * logs). Every header is client-controlled unless something we trust wrote it:
 *
 * - On Vercel (the platform sets `VERCEL`), the edge overwrites `x-vercel-forwarded-for` and
 *   `x-real-ip` with the address it saw: those are used.
 * - Elsewhere, `TRUSTED_PROXY_HOPS` reverse proxies in front of the shop each append the address
 *   they saw to `X-Forwarded-For`; the entry that the outermost trusted proxy appended — the
 *   hops-th from the right — is the client. Entries left of it are whatever the client sent.
 * - With 0 hops (the default) nothing in front is trusted and X-Forwarded-For is not read at all:
 *   `next start` writes the socket address there only when the client sent no such header, so a
 *   client could choose its value. The socket address comes from the shop's server (server.mjs,
 *   `npm start`), which stamps {@link PEER_HEADER} with a token only this process knows. Under a
 *   plain `next start` there is no such stamp and every request counts as {@link UNKNOWN_CLIENT};
 *   docs/OPERATIONS.md says how to set the hops for a deployment.
 *
 * Anything that is not an IP address becomes {@link UNKNOWN_CLIENT}: a value that still groups
 * (one bucket for every such client) and can never be confused with an address.
 */
export const UNKNOWN_CLIENT = "unknown";

/** Written by server.mjs on every request: `<process token> <socket address>`. */
export const PEER_HEADER = "x-xiaopu-peer";
const PEER_TOKEN = Symbol.for("xiaopu.peerToken");

/** The socket address server.mjs stamped, if this process's server did stamp it. */
function peerAddress(headers: Headers): string | undefined {
  const token = (globalThis as Record<symbol, unknown>)[PEER_TOKEN];
  const value = headers.get(PEER_HEADER);
  if (typeof token !== "string" || token.length < 16 || !value) return undefined;
  const space = value.indexOf(" ");
  if (space < 0 || !timingSafeEqual(value.slice(0, space), token)) return undefined;
  return normalizeAddress(value.slice(space + 1));
}

function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i += 1) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

export interface ClientAddressOptions {
  /** Reverse proxies in front of the shop that append to X-Forwarded-For (default: env). */
  trustedProxyHops?: number;
  /** Running on Vercel, whose edge sets the address headers (default: env). */
  vercel?: boolean;
}

export function clientAddress(headers: Headers, options: ClientAddressOptions = {}): string {
  const { trustedProxyHops, vercel } = withDefaults(options);
  if (vercel) {
    // x-vercel-forwarded-for holds the client only; take its first entry in case of a list.
    const fromVercel = headers.get("x-vercel-forwarded-for")?.split(",")[0];
    return (
      normalizeAddress(fromVercel) ?? normalizeAddress(headers.get("x-real-ip")) ?? UNKNOWN_CLIENT
    );
  }
  if (trustedProxyHops <= 0) return peerAddress(headers) ?? UNKNOWN_CLIENT;
  const entries = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  if (entries.length === 0) return UNKNOWN_CLIENT;
  // Fewer entries than trusted hops: every entry was written by a trusted proxy; the left-most
  // is the farthest address any of them saw.
  const index = Math.max(0, entries.length - trustedProxyHops);
  return normalizeAddress(entries[index]) ?? UNKNOWN_CLIENT;
}

/**
 * The key a per-client limit counts under: the address itself for IPv4, the /64 network for
 * IPv6 (one subscriber gets a whole /64, so single addresses are free to rotate).
 */
export function clientKey(address: string): string {
  if (isIP(address) !== 6) return address;
  const groups = expandIpv6(address);
  return groups ? `${compressIpv6([...groups.slice(0, 4), "0", "0", "0", "0"])}/64` : address;
}

function withDefaults(options: ClientAddressOptions): Required<ClientAddressOptions> {
  if (options.trustedProxyHops !== undefined && options.vercel !== undefined) {
    return options as Required<ClientAddressOptions>;
  }
  const env = getEnv();
  return {
    trustedProxyHops: options.trustedProxyHops ?? env.trustedProxyHops,
    vercel: options.vercel ?? env.onVercel,
  };
}

/**
 * A canonical address, or undefined for anything else. Accepts what proxies write: `1.2.3.4`,
 * `1.2.3.4:5678`, `2001:db8::1`, `[2001:db8::1]:443`; IPv4-mapped IPv6 becomes IPv4 and IPv6 is
 * lower-cased, so one client has one spelling.
 */
export function normalizeAddress(raw: string | null | undefined): string | undefined {
  if (raw == null) return undefined;
  let value = raw.trim();
  if (value.length === 0 || value.length > 64) return undefined;
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(value);
  if (bracketed) value = bracketed[1]!;
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d{1,5}$/.test(value))
    value = value.slice(0, value.lastIndexOf(":"));
  // Zone ids (fe80::1%eth0) name a local interface: not part of the client's identity.
  value = value.replace(/%[\w.-]+$/, "");
  const version = isIP(value);
  if (version === 4) return value;
  if (version !== 6) return undefined;
  value = value.toLowerCase();
  const mapped = /^(?:0{0,4}:){0,5}:?ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(value);
  if (mapped && isIP(mapped[1]!) === 4) return mapped[1];
  const groups = expandIpv6(value);
  return groups ? compressIpv6(groups) : undefined;
}

/** Eight 4-digit hex groups of a valid IPv6 address (embedded IPv4 tails converted). */
function expandIpv6(address: string): string[] | undefined {
  let value = address.toLowerCase();
  const v4 = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(value);
  if (v4) {
    const [a, b, c, d] = v4[1]!.split(".").map(Number) as [number, number, number, number];
    value = `${value.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail, ...rest] = value.split("::");
  if (rest.length > 0) return undefined;
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  const groups = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill("0"), ...right];
  if (groups.some((group) => !/^[0-9a-f]{1,4}$/.test(group))) return undefined;
  return groups.map((group) => group.padStart(4, "0"));
}

/** RFC 5952 text form: no leading zeros, the longest run (≥ 2) of zero groups as `::`. */
function compressIpv6(groups: string[]): string {
  const short = groups.map((group) => group.replace(/^0+(?=.)/, ""));
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8;) {
    if (short[start] !== "0") {
      start += 1;
      continue;
    }
    let end = start;
    while (end < 8 && short[end] === "0") end += 1;
    if (end - start > bestLength) {
      bestStart = start;
      bestLength = end - start;
    }
    start = end;
  }
  if (bestStart < 0) return short.join(":");
  return `${short.slice(0, bestStart).join(":")}::${short.slice(bestStart + bestLength).join(":")}`;
}
