import { getDb } from "@/db";
import { offsetClock, systemClock, type Clock } from "./clock";
import { getEnv } from "./env";

/** The runtime clock: system time in live mode, the sandbox's virtual clock in sandbox mode. */
export async function getClock(): Promise<Clock> {
  return getEnv().isSandbox ? offsetClock(await getDb()) : systemClock;
}

export async function now(): Promise<Date> {
  return (await getClock()).now();
}
