import { getDb } from "@/db";
import { adminGet } from "@/lib/admin/api";
import { usersPage, usersQuery } from "@/lib/admin/users";
import { methodsNotAllowed } from "@/lib/http/json";

/** `GET /api/admin/users?q&role&cursor&limit`: the users list a page at a time (admin only). */
export const GET = adminGet(usersQuery, async (query) => usersPage(await getDb(), query));

/** Any other method: 405 with the JSON error. */
export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed(["GET"]);
