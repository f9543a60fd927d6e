"use server";

import { notFound, redirect } from "next/navigation";
import { getEnv } from "@/lib/env";
import { getAlipaySandbox } from "@/lib/sandbox/alipay";
import { submitAppForm, submitSignForm, submitWalletForm } from "@/lib/sandbox/alipay/pages";
import { afterResponse } from "@/lib/sandbox/youzan/http";

// Server actions are endpoints too: they exist only in sandbox mode.
function requireSandbox(): void {
  if (!getEnv().isSandbox) notFound();
}

const sandbox = () => getAlipaySandbox({ background: afterResponse });

export async function signAction(form: FormData): Promise<void> {
  requireSandbox();
  redirect(await submitSignForm(await sandbox(), form));
}

export async function appPayAction(form: FormData): Promise<void> {
  requireSandbox();
  redirect(await submitAppForm(await sandbox(), form));
}

export async function walletAction(form: FormData): Promise<void> {
  requireSandbox();
  redirect(await submitWalletForm(await sandbox(), form));
}
