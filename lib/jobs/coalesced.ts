import "server-only";

/*
 * One runner for work that many requests ask for at once (the notice sender after a payment):
 * while a round runs, or waits to start, more asks only make it go round once more — a burst of
 * 2,000 pushes is one sender, not 2,000. Each round starts `delayMs` after the ask that started
 * it, so what a burst writes in that time goes out in one round (one claim of thirty notices,
 * not thirty claims of one); a buyer's receipt leaves that much later, which nobody notices.
 */

export interface CoalescedOptions {
  /** Wait before each round, gathering asks. */
  delayMs: number;
  /** Keeps the rounds alive past the request that asked (Next's `after()`); logs a failure. */
  background: (task: Promise<unknown>) => void;
  sleep?: (ms: number) => Promise<void>;
}

/** Returns `ask`: starts the runner, or asks the running one for one more round. Never throws. */
export function coalesced(round: () => Promise<unknown>, options: CoalescedOptions): () => void {
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let running = false;
  let again = false;
  return () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    options.background(
      (async () => {
        try {
          do {
            await sleep(options.delayMs);
            // Asks before and during the wait are this round's: they need no round of their own.
            again = false;
            await round();
          } while (again);
        } finally {
          running = false;
        }
      })(),
    );
  };
}
