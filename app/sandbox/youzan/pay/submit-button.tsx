"use client";

import { useFormStatus } from "react-dom";
import { Button } from "@/components/ui/button";

/** A submit button that disables itself while its form is being sent (no double payments). */
export function SubmitButton({
  label,
  pendingLabel,
  variant = "primary",
  className = "",
  testId,
}: {
  label: string;
  pendingLabel: string;
  variant?: "primary" | "secondary";
  className?: string;
  testId?: string;
}) {
  const { pending } = useFormStatus();
  return (
    <Button
      type="submit"
      variant={variant}
      disabled={pending}
      aria-busy={pending || undefined}
      className={className}
      data-testid={testId}
    >
      {pending ? pendingLabel : label}
    </Button>
  );
}
