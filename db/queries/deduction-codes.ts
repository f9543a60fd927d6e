import "server-only";
import { sql } from "drizzle-orm";
import { deductionLogs } from "../schema";

/*
 * Where a logged Alipay answer keeps its result codes: the `<method>_response` object (dots of
 * the method name as underscores) or `error_response` when the gateway refused the call. The
 * admin's deduction log viewer, its filter and the CSV export read them from here only.
 */

/** The `<method>_response` (or `error_response`) object of a logged Alipay answer. */
export const deductionAnswer = sql`coalesce(${deductionLogs.response} -> (replace(${deductionLogs.apiMethod}, '.', '_') || '_response'), ${deductionLogs.response} -> 'error_response')`;

/** The answer's `code`, `sub_code` and `sub_msg` as columns of a select. */
export const deductionCodes = {
  code: sql<string | null>`${deductionAnswer} ->> 'code'`,
  subCode: sql<string | null>`${deductionAnswer} ->> 'sub_code'`,
  subMessage: sql<string | null>`${deductionAnswer} ->> 'sub_msg'`,
};
