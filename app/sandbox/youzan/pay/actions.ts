"use server";

import { notFound, redirect } from "next/navigation";
import { getEnv } from "@/lib/env";
import { getYouzanSandbox } from "@/lib/sandbox/youzan";
import { submitCancelForm, submitPayForm } from "@/lib/sandbox/youzan/pay-page";

// Server actions are endpoints too: they exist only in sandbox mode.
function requireSandbox(): void {
  if (!getEnv().isSandbox) notFound();
}

export async function payAction(form: FormData): Promise<void> {
  requireSandbox();
  redirect(await submitPayForm(await getYouzanSandbox(), form));
}

export async function cancelAction(form: FormData): Promise<void> {
  requireSandbox();
  redirect(await submitCancelForm(await getYouzanSandbox(), form));
}
