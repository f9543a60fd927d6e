import { subscriptionActionRoute } from "@/lib/admin/subscription-routes";

/** `POST /api/admin/subscriptions/{id}/{retry|postpone|unsign|refresh}` (admin only, audited). */
export const POST = subscriptionActionRoute;
