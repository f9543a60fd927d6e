import { controlGetFaults, controlSetFaults } from "@/lib/sandbox/alipay/control";
import { sandboxRoute } from "@/lib/sandbox/youzan/http";

export const GET = sandboxRoute(controlGetFaults);
/** Settings and/or `inject: {method, kind, count, committed?, notify?}` → the merged faults. */
export const POST = sandboxRoute(controlSetFaults);
