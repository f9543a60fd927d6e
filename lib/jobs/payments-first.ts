import "server-only";

/*
 * Payments before mail: a process-wide count of the payment notifications being answered (a
 * Youzan push, an Alipay notification), and a wait that background work (the notice sender)
 * takes before each piece of its work. While the count is above zero the wait lasts until it
 * drops to zero or `maxWaitMs` passes, whichever is first; with nothing in flight it returns at
 * once. A burst of 2,000 pushes thus settles first and its receipts follow, instead of both
 * sharing the two cores (issue #14: the receipts were a quarter of a push's CPU); under traffic
 * that never pauses, the sender still sends one notice per `maxWaitMs`, so nothing starves.
 */

export interface PaymentsGauge {
  /** A payment notification started; call the result (once; later calls do nothing) when done. */
  started(): () => void;
  /** `work` counted while it runs. */
  during<T>(work: () => Promise<T>): Promise<T>;
  /** Payment notifications being answered now. */
  inFlight(): number;
  /** Resolves when none is in flight, or after `maxWaitMs`: whether it was quiet. */
  quiet(maxWaitMs: number): Promise<boolean>;
}

export function paymentsGauge(): PaymentsGauge {
  let inFlight = 0;
  const waiters = new Set<() => void>();
  const gauge: PaymentsGauge = {
    async during(work) {
      const done = gauge.started();
      try {
        return await work();
      } finally {
        done();
      }
    },
    started() {
      inFlight++;
      let done = false;
      return () => {
        if (done) return;
        done = true;
        inFlight--;
        if (inFlight === 0) {
          for (const wake of [...waiters]) wake();
        }
      };
    },
    inFlight: () => inFlight,
    quiet(maxWaitMs) {
      if (inFlight === 0) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(true);
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          resolve(false);
        }, maxWaitMs);
        waiters.add(wake);
      });
    },
  };
  return gauge;
}

// Kept on globalThis: Next bundles the routes that count and the sender that waits (a route's
// kick, instrumentation's ticker) separately, and each bundle has its own copy of this module.
const globalForGauge = globalThis as typeof globalThis & { __xiaopuPayments?: PaymentsGauge };

/** The shop process's gauge: the webhook routes count, the notice sender waits. */
export const payments: PaymentsGauge = (globalForGauge.__xiaopuPayments ??= paymentsGauge());

/** How long the notice sender waits for a quiet moment before each notice. */
export const NOTICE_YIELD_MAX_MS = 500;
