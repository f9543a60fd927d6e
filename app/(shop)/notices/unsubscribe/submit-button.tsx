"use client";

import { useFormStatus } from "react-dom";
import { Button } from "@/components/ui/button";

/** A submit button that disables itself while its form is being sent. */
export function SubmitButton({
  label,
  pendingLabel,
  variant = "primary",
  testId,
}: {
  label: string;
  pendingLabel: string;
  variant?: "primary" | "secondary";
  testId?: string;
}) {
  const { pending } = useFormStatus();
  return (
    <Button
      type="submit"
      variant={variant}
      disabled={pending}
      aria-busy={pending || undefined}
      className="min-h-11 w-full sm:w-auto"
      data-testid={testId}
    >
      {pending ? pendingLabel : label}
    </Button>
  );
}
