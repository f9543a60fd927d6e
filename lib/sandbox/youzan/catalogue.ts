import "server-only";
/*
 * The APIs and versions the sandbox implements (spec §6.1), as plain data: the gateway answers
 * anything else with 4005, and fault knobs that name an API are checked against this list, so a
 * typo in a knob is refused instead of silently matching nothing.
 */

export const API_VERSIONS: Readonly<Record<string, readonly string[]>> = {
  "youzan.pay.qrcode.create": ["3.0.0"],
  "youzan.pay.qrcode.get": ["3.0.0"],
  "youzan.trades.qr.get": ["3.0.0"],
  "youzan.trade.get": ["3.0.0", "4.0.0", "4.0.2"],
};

export function isImplemented(api: string, version: string): boolean {
  return Object.hasOwn(API_VERSIONS, api) && (API_VERSIONS[api] ?? []).includes(version);
}

/**
 * Knobs that target APIs are keyed `name` (every version) or `name/version` (that version only),
 * e.g. `youzan.pay.qrcode.create` or `youzan.trade.get/3.0.0`.
 */
export function isApiKey(key: string): boolean {
  const [api = "", version, ...rest] = key.split("/");
  if (rest.length > 0 || !Object.hasOwn(API_VERSIONS, api)) return false;
  return version === undefined || isImplemented(api, version);
}

/** The entry for this call: `name/version` wins over `name`. */
export function forApi<T>(
  map: Readonly<Record<string, T>>,
  api: string,
  version: string,
): T | undefined {
  const exact = `${api}/${version}`;
  if (Object.hasOwn(map, exact)) return map[exact];
  return Object.hasOwn(map, api) ? map[api] : undefined;
}

/** Whether a list of knob keys names this call's API (by name or by name/version). */
export function listsApi(keys: readonly string[], api: string, version: string): boolean {
  return keys.includes(api) || keys.includes(`${api}/${version}`);
}
