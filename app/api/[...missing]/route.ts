import { AppError } from "@/lib/errors";
import { route } from "@/lib/http/json";

/**
 * Any /api/ path no route answers: the shop's JSON 404 with a code, whatever the method, rather
 * than the HTML not-found page (and, for a multipart POST, Next's server-action parsing).
 */
const missing = route(async () => {
  throw new AppError("not_found", "No such API route.");
});

export const GET = missing;
export const POST = missing;
export const PUT = missing;
export const PATCH = missing;
export const DELETE = missing;
