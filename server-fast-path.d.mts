/** Types of server-fast-path.mjs (plain JavaScript: server.mjs runs without a compiler). */
import type { IncomingMessage, ServerResponse } from "node:http";

export type FastHandler = (
  request: Request,
  context: { params: Promise<Record<string, string>> },
) => Promise<Response>;

export interface FastRoute {
  name: string;
  method: string;
  pattern: RegExp;
  template: string;
  params: (match: RegExpExecArray) => Record<string, string>;
}

export interface FastMatch {
  route: FastRoute;
  handler: FastHandler;
  params: Record<string, string>;
}

export const FAST_ROUTES: readonly FastRoute[];
export function matchFastRoute(
  method: string | undefined,
  url: string | undefined,
  registry: ReadonlyMap<string, FastHandler>,
): FastMatch | undefined;
export function webRequestOf(request: IncomingMessage): Request | undefined;
export function writeWebResponse(answer: Response, response: ServerResponse): Promise<void>;
export function serveFast(
  match: Pick<FastMatch, "handler" | "params">,
  request: IncomingMessage,
  response: ServerResponse,
  onError?: (error: unknown) => void,
): Promise<boolean>;
