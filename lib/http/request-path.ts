/** Set by proxy.ts on every request: server components read the requested path from it. */
export const PATH_HEADER = "x-xiaopu-path";
