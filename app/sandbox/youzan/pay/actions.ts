"use server";

import { notFound, redirect } from "next/navigation";
import { getEnv } from "@/lib/env";
import { getYouzanSandbox } from "@/lib/sandbox/youzan";
import { afterResponse } from "@/lib/sandbox/youzan/http";
import { submitCancelForm, submitPayForm } from "@/lib/sandbox/youzan/pay-page";

// Server actions are endpoints too: they exist only in sandbox mode.
function requireSandbox(): void {
  if (!getEnv().isSandbox) notFound();
}

export async function payAction(form: FormData): Promise<void> {
  requireSandbox();
  // The pushes of the payment go out after the redirect, kept alive by after().
  redirect(await submitPayForm(await getYouzanSandbox({ background: afterResponse }), form));
}

export async function cancelAction(form: FormData): Promise<void> {
  requireSandbox();
  redirect(await submitCancelForm(await getYouzanSandbox({ background: afterResponse }), form));
}
