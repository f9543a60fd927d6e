"use client";

import { Button } from "@/components/ui/button";

/**
 * "Delete", then "confirm" / "cancel" in its place: the one guard every content list (files,
 * lessons, posts) puts before a deletion. The confirmation either submits a form (a server
 * action with hidden fields) or runs a click handler (a JSON route).
 */
export function ContentDelete({
  confirming,
  onAsk,
  onCancel,
  busy,
  testId,
  labels,
  confirm,
}: {
  confirming: boolean;
  onAsk: () => void;
  onCancel: () => void;
  busy: boolean;
  /** `content-lesson-delete` → the buttons' test ids (`…` and `…-confirm`). */
  testId: string;
  labels: { delete: string; confirm: string; cancel: string };
  confirm:
    | { action: (formData: FormData) => void; hidden: Record<string, string> }
    | { onClick: () => void };
}) {
  if (!confirming) {
    return (
      <Button
        type="button"
        variant="ghost"
        className="px-3 py-1 text-red-700"
        onClick={onAsk}
        disabled={busy}
        data-testid={testId}
      >
        {labels.delete}
      </Button>
    );
  }
  const buttons = (
    <>
      <Button
        type={"action" in confirm ? "submit" : "button"}
        className="bg-red-600 px-3 py-1 hover:bg-red-700"
        onClick={"onClick" in confirm ? confirm.onClick : undefined}
        disabled={busy}
        data-testid={`${testId}-confirm`}
      >
        {labels.confirm}
      </Button>
      <Button type="button" variant="ghost" className="px-3 py-1" onClick={onCancel}>
        {labels.cancel}
      </Button>
    </>
  );
  if (!("action" in confirm)) return buttons;
  return (
    <form action={confirm.action} className="flex gap-2">
      {Object.entries(confirm.hidden).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      {buttons}
    </form>
  );
}
