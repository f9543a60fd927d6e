import { getDb } from "@/db";
import { signUp } from "@/lib/auth/signup";
import { json, readJson, route } from "@/lib/http/json";
import { z } from "zod";

// Shape only; the field rules live in signUp so the form and the API give the same answers.
const body = z.object({}).passthrough();

/** JSON sign-up for scripts and apps: 201 with the new buyer, 422 field codes, 409 duplicate. */
export const POST = route(async (request) => {
  const input = await readJson(request, body);
  const user = await signUp(await getDb(), input);
  return json({ user }, { status: 201 });
});
