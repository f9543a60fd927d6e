import { controlReset } from "@/lib/sandbox/youzan/control";
import { sandboxRoute } from "@/lib/sandbox/youzan/http";

/** Empties every Youzan sandbox table (not the shared clock). */
export const POST = sandboxRoute(controlReset);
