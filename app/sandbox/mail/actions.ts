"use server";

import { notFound, redirect } from "next/navigation";
import { getDb } from "@/db";
import { clearSandboxMail } from "@/db/queries/sandbox-mail";
import { getEnv } from "@/lib/env";
import { MAILBOX_PATH } from "./mailbox";

/** "清空邮箱": server actions are endpoints too, so this one exists only in sandbox mode. */
export async function clearMailboxAction(): Promise<void> {
  if (!getEnv().isSandbox) notFound();
  await clearSandboxMail(await getDb());
  redirect(MAILBOX_PATH);
}
