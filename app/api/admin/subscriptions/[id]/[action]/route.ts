import { subscriptionActionRoute } from "@/lib/admin/subscription-routes";
import { methodsNotAllowed } from "@/lib/http/json";

/** `POST /api/admin/subscriptions/{id}/{retry|postpone|unsign|refresh}` (admin only, audited). */
export const POST = subscriptionActionRoute;

/** Any other method: 405 with the JSON error. */
export const { GET, PUT, PATCH, DELETE } = methodsNotAllowed(["POST"]);
