/** What the "process again" form shows after a submit (plain data for a client component). */
export type ReprocessState =
  | Record<string, never>
  | {
      error: "unauthorized" | "forbidden" | "not_found" | "not_reprocessable" | "busy" | "failed";
    }
  | { before: string; after: string; outcome: string | null };
