/**
 * `npm run demo [-- options]`: the product's whole journey, headless, against a running platform (see docs/demo.md).
 * Progress goes to stderr, one line per step with the elapsed time; the base-vs-tuned table (or --json) to stdout.
 * Exit codes: 0 done, 1 a step failed (the message names it), 2 bad arguments.
 */
import { parseDemoArgs, USAGE, UsageError } from "./args";
import { consoleReporter, runDemo, StepError } from "./journey";
import { formatTable } from "./table";

async function main(argv: string[]): Promise<number> {
  let options;
  try {
    options = parseDemoArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    if (e.message) process.stderr.write(`demo: ${e.message}\n`);
    process.stderr.write(`${USAGE}\n`);
    return e.message ? 2 : 0;
  }
  const t0 = Date.now();
  const reporter = consoleReporter(process.stderr, t0);
  reporter.info(`M3 Studio demo against ${options.url}${options.train ? " with your data" : " with the medical demo data"}`);
  try {
    const result = await runDemo(options, reporter);
    const seconds = (Date.now() - t0) / 1000;
    if (options.json) {
      process.stdout.write(JSON.stringify({ ...result.table, workspace: result.workspace, deployment: result.deployment, seconds: Math.round(seconds), timings: result.timings }, null, 2) + "\n");
    } else {
      process.stdout.write(`\n${formatTable(result.table)}\n\n`);
      process.stdout.write(`Workspace: ${result.workspace.url} (signed in as ${result.account.email})\n`);
      process.stdout.write(`Deployment: ${result.deployment.url}${result.deployment.stopped ? " (stopped after the test call)" : ""}\n`);
      process.stdout.write(`Done in ${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s.\n`);
    }
    return 0;
  } catch (e) {
    const message = e instanceof StepError ? e.message : `unexpected error: ${(e as Error).stack ?? String(e)}`;
    process.stderr.write(`demo: ${message}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
