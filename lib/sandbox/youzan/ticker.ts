import "server-only";
import { getEnv } from "@/lib/env";
import { intervalTicker } from "@/lib/interval-ticker";
import { moduleLogger } from "@/lib/logger";
import { getYouzanSandbox } from "./index";

const log = moduleLogger("youzan-sandbox-ticker");

export const TICK_INTERVAL_MS = 1000;

/**
 * The stop function of this module's running ticker. Module state, not globalThis: only
 * instrumentation.ts starts the ticker, so one module copy per process is all there is; the
 * guard only keeps a second call from starting a second interval.
 */
let running: (() => void) | null = null;

/**
 * Sandbox mode only: runs tick() every second (expiries, due pushes and retries on the virtual
 * clock). Runs never overlap, errors are logged and never thrown, and a second call returns the
 * running ticker's stop function instead of starting another.
 */
export function startYouzanSandboxTicker(): () => void {
  if (!getEnv().isSandbox) return () => {};
  if (running) return running;
  const halt = intervalTicker(
    TICK_INTERVAL_MS,
    async () => {
      const result = await (await getYouzanSandbox()).tick();
      if (result.delivered + result.failed + result.closed > 0) log.debug(result, "tick");
    },
    {
      onError: (error, failure) =>
        log.warn({ err: error, ...failure }, "youzan sandbox tick failed"),
      onRecovered: (failure) => log.info(failure, "youzan sandbox ticks again"),
    },
  );
  const stop = () => {
    halt();
    if (running === stop) running = null;
  };
  running = stop;
  return stop;
}
