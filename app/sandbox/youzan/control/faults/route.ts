import { controlGetFaults, controlSetFaults } from "@/lib/sandbox/youzan/control";
import { sandboxRoute } from "@/lib/sandbox/youzan/http";

export const GET = sandboxRoute(controlGetFaults);
/** A partial YouzanFaults object → the merged faults. */
export const POST = sandboxRoute(controlSetFaults);
