import "server-only";

/** Whether `work` finished within `budgetMs` ("late" leaves it running). */
export async function withinBudget(
  work: Promise<unknown>,
  budgetMs: number,
): Promise<"done" | "late"> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), budgetMs);
  });
  try {
    return await Promise.race([work.then(() => "done" as const), late]);
  } finally {
    clearTimeout(timer);
  }
}
