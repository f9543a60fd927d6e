import "server-only";
/**
 * Push retry schedule of the current Youzan docs (spec §4.6): 16 retries, then dead-letter.
 * Entry i is the wait after the attempt whose `sendCount` is i failed; 3 m → 10 m in 1-minute
 * steps is how the docs' "3 m … 10 m" fits the stated total of 16.
 */
export const RETRY_SCHEDULE_SECONDS: readonly number[] = [
  10,
  30,
  60,
  2 * 60,
  3 * 60,
  4 * 60,
  5 * 60,
  6 * 60,
  7 * 60,
  8 * 60,
  9 * 60,
  10 * 60,
  20 * 60,
  30 * 60,
  60 * 60,
  2 * 60 * 60,
];

/** Delivery attempts answer within this or count as failed. */
export const PUSH_TIMEOUT_MS = 5_000;

/**
 * After the attempt with `sendCount` failed: when to try again (with `sendCount + 1`), or null
 * when that was the last retry and the message is dead-lettered.
 */
export function nextRetryAt(failedAt: Date, sendCount: number): Date | null {
  const wait = RETRY_SCHEDULE_SECONDS[sendCount];
  if (wait === undefined || sendCount < 0) return null;
  return new Date(failedAt.getTime() + wait * 1000);
}

/** Youzan counts a delivery as received only on HTTP 200 with a body that contains `success`. */
export function isAcknowledged(status: number, body: string): boolean {
  return status === 200 && body.includes("success");
}
