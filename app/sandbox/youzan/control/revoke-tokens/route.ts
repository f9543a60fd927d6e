import { controlRevokeTokens } from "@/lib/sandbox/youzan/control";
import { sandboxRoute } from "@/lib/sandbox/youzan/http";

export const POST = sandboxRoute(controlRevokeTokens);
