/*
 * The checkout's countdown counts from the shop's clock, never the browser's: a phone whose clock
 * is off, or the sandbox's virtual clock moved forward, would otherwise show the wrong time left.
 * The server sends its "now" with the page and with every status answer; the browser keeps the
 * offset between that and its own clock and counts with it. Pure, so the server and the browser
 * compute the first text the same way (no hydration mismatch).
 */

/** Whole seconds left until `expiresAtMs` at the instant `nowMs` (never negative). */
export function secondsLeft(expiresAtMs: number, nowMs: number): number {
  return Math.max(0, Math.floor((expiresAtMs - nowMs) / 1000));
}

/** `mm:ss` (minutes are not wrapped into hours: an order lives at most 29 minutes). */
export function formatCountdown(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  const minutes = String(Math.floor(whole / 60)).padStart(2, "0");
  return `${minutes}:${String(whole % 60).padStart(2, "0")}`;
}

/**
 * How far the shop's clock is ahead of the browser's (ms; negative when behind), from a server
 * "now" read just before the answer left and the browser's clock when it arrived: the error is the
 * answer's one-way transit, not the time the server spent asking the provider.
 */
export function clockOffset(serverNowMs: number, receivedAtMs: number): number {
  return serverNowMs - receivedAtMs;
}

/** The shop's now as the browser estimates it. */
export function shopNow(browserNowMs: number, offsetMs: number): number {
  return browserNowMs + offsetMs;
}
