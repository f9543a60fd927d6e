import "server-only";

/** Sends due notices right after the response (see lib/runtime.ts `kickNotices`). */
export { kickNotices } from "@/lib/runtime";
