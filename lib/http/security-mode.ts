import { getEnv } from "@/lib/env";

/**
 * The two facts of the environment the security headers depend on (lib/http/security-headers.ts),
 * for proxy.ts and for the routes it does not run for (lib/http/unproxied-route.ts). getEnv() is
 * resolved once per process; an invalid configuration stops the process at start-up
 * (instrumentation.ts), and until then gets the strictest scripts and no HSTS.
 */
export function securityMode(): { development: boolean; live: boolean } {
  try {
    const env = getEnv();
    return { development: env.nodeEnv === "development", live: !env.isSandbox };
  } catch {
    return { development: false, live: false };
  }
}
