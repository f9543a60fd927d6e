import { getEnv } from "@/lib/env";
import { moduleLogger } from "@/lib/logger";
import { getYouzanSandbox } from "./index";

const log = moduleLogger("youzan-sandbox-ticker");

export const TICK_INTERVAL_MS = 1000;

const globalForTicker = globalThis as typeof globalThis & { __xiaopuYouzanTicker?: () => void };

/**
 * Sandbox mode only: runs tick() every second (expiries, due pushes and retries on the virtual
 * clock). Runs never overlap, errors are logged and never thrown, and a second call returns the
 * running ticker's stop function instead of starting another.
 */
export function startYouzanSandboxTicker(): () => void {
  if (!getEnv().isSandbox) return () => {};
  if (globalForTicker.__xiaopuYouzanTicker) return globalForTicker.__xiaopuYouzanTicker;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void (async () => {
      try {
        const result = await (await getYouzanSandbox()).tick();
        if (result.delivered + result.failed + result.closed > 0) log.debug(result, "tick");
      } catch (error) {
        log.warn({ err: error }, "youzan sandbox tick failed");
      } finally {
        running = false;
      }
    })();
  }, TICK_INTERVAL_MS);
  timer.unref?.();
  const stop = () => {
    clearInterval(timer);
    globalForTicker.__xiaopuYouzanTicker = undefined;
  };
  globalForTicker.__xiaopuYouzanTicker = stop;
  return stop;
}
