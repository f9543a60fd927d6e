import "server-only";
import { getEnv } from "@/lib/env";
import { intervalTicker } from "@/lib/interval-ticker";
import { moduleLogger } from "@/lib/logger";
import { getAlipaySandbox } from "./index";

const log = moduleLogger("alipay-sandbox-ticker");

export const TICK_INTERVAL_MS = 1000;

/** This module's running ticker (module state, not globalThis; see the Youzan ticker). */
let running: (() => void) | null = null;

/**
 * Sandbox mode only: runs tick() every second (unpaid-trade expiry, due notifications and their
 * retries on the virtual clock). Runs never overlap; errors are logged, never thrown.
 */
export function startAlipaySandboxTicker(): () => void {
  if (!getEnv().isSandbox) return () => {};
  if (running) return running;
  const halt = intervalTicker(
    TICK_INTERVAL_MS,
    async () => {
      const result = await (await getAlipaySandbox()).tick();
      if (result.delivered + result.failed + result.closed > 0) log.debug(result, "tick");
    },
    {
      onError: (error, failure) =>
        log.warn({ err: error, ...failure }, "alipay sandbox tick failed"),
      onRecovered: (failure) => log.info(failure, "alipay sandbox ticks again"),
    },
  );
  const stop = () => {
    halt();
    if (running === stop) running = null;
  };
  running = stop;
  return stop;
}
