"use server";

import { redirect } from "next/navigation";
import { getDb } from "@/db";
import { resubscribe, unsubscribe } from "@/db/queries/notice-settings";
import { getEnv } from "@/lib/env";
import { readUnsubscribeToken } from "@/lib/notices/tokens";

/*
 * The unsubscribe page's two buttons. No sign-in: the token in the form is checked again here
 * (a page is no proof), and each redirects back to the page (303), which shows the state read
 * from the database, so a reload repeats nothing.
 */

const PAGE = "/notices/unsubscribe";

function pageUrl(token: string, done?: "unsubscribed" | "resubscribed"): string {
  const params = new URLSearchParams({ token });
  if (done) params.set("done", done);
  return `${PAGE}?${params.toString()}`;
}

export async function unsubscribeAction(form: FormData): Promise<void> {
  const token = form.get("token");
  const found = readUnsubscribeToken(getEnv().authSecret, token);
  if (!found || typeof token !== "string") redirect(PAGE);
  const changed = await unsubscribe(await getDb(), found.userId, found.category);
  if (changed === null) redirect(PAGE);
  redirect(pageUrl(token, "unsubscribed"));
}

export async function resubscribeAction(form: FormData): Promise<void> {
  const token = form.get("token");
  const found = readUnsubscribeToken(getEnv().authSecret, token);
  if (!found || typeof token !== "string") redirect(PAGE);
  await resubscribe(await getDb(), found.userId, found.category);
  redirect(pageUrl(token, "resubscribed"));
}
