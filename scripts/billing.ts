import nextEnv from "@next/env";

/*
 * `npm run billing -- <charge|retry|postpone|reconcile> [--dry-run]`: one billing phase, as the
 * cron route runs it, from a shell (a crontab on a self-hosted server, or by hand). One progress
 * line per batch on stderr, the run's report as JSON on stdout; exit 1 when the run fails, 2 for
 * a wrong command line.
 */
nextEnv.loadEnvConfig(process.cwd(), false);
const { closeDb } = await import("@/db");
const { isBillingPhase, runBillingPhase, PHASES } = await import("@/lib/billing/run");
const { getBillingRuntime } = await import("@/lib/runtime");

const args = process.argv.slice(2);
const phase = args.find((arg) => !arg.startsWith("--"));
const unknown = args.filter((arg) => arg.startsWith("--") && arg !== "--dry-run");
if (!phase || !isBillingPhase(phase) || unknown.length > 0) {
  console.error(`usage: npm run billing -- <${PHASES.join("|")}> [--dry-run]`);
  process.exit(2);
}

let code = 0;
try {
  const report = await runBillingPhase(await getBillingRuntime(), phase, {
    dryRun: args.includes("--dry-run"),
    onBatch: (r) =>
      console.error(
        `billing ${phase}: batch ${r.batches} · processed ${r.processed} · charged ${r.charged} · declined ${r.declined} · closed ${r.closed} · postponed ${r.postponed} · unknown ${r.unknown}`,
      ),
  });
  console.log(JSON.stringify(report, null, 2));
} catch (error) {
  console.error(`billing ${phase} failed:`, error);
  code = 1;
} finally {
  await closeDb();
}
process.exit(code);
