import "server-only";
import { getEnv } from "@/lib/env";
import { intervalTicker } from "@/lib/interval-ticker";
import { moduleLogger } from "@/lib/logger";
import { sendDueNotices } from "@/lib/notices/send";
import { sweepNotices } from "@/lib/notices/sweep";
import { getNoticeRuntime } from "@/lib/runtime";

const log = moduleLogger("notices-ticker");

export const TICK_INTERVAL_MS = 5_000;

let running: (() => void) | null = null;

/**
 * Sandbox mode only: what the notices cron does, every few seconds, so that a fresh `npm run dev`
 * shows each notice in the sandbox mailbox as it falls due — a reminder as soon as the admin's
 * clock panel moves the virtual clock past its day, a retried send once its wait is over. Live
 * shops run `/api/cron/notices/send` from their scheduler. Ticks never overlap and never throw.
 * `SANDBOX_NOTICES_TICKER=false` turns it off (an instance that only plays Youzan and Alipay for
 * another shop process on the same database).
 */
export function startNoticesTicker(): () => void {
  if (!getEnv().mail.sandboxTicker) return () => {};
  if (running) return running;
  const halt = intervalTicker(
    TICK_INTERVAL_MS,
    async () => {
      const deps = await getNoticeRuntime();
      await sweepNotices(deps);
      await sendDueNotices(deps, { timeBudgetMs: TICK_INTERVAL_MS });
    },
    {
      onError: (error, failure) => log.warn({ err: error, ...failure }, "notices tick failed"),
      onRecovered: (failure) => log.info(failure, "notices ticks again"),
    },
  );
  const stop = () => {
    halt();
    if (running === stop) running = null;
  };
  running = stop;
  return stop;
}
