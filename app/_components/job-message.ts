/**
 * Progress and status messages come from the worker as short English phrases ("read 6 KiB", "step 3/96",
 * "encoded 40/120 documents"). The worker has no user and no locale, so the UI words them instead: each known
 * phrase maps to a `jobMessages.*` message with its numbers. Anything else (an error text, a file name) is shown
 * as it came. Keep the patterns in step with the progress calls in gpu-worker/ and server/services/.
 */
type Values = Record<string, string>;
export type JobMessageTranslator = (key: string, values?: Values) => string;

const PHRASES: Array<[RegExp, string, (m: RegExpExecArray) => Values]> = [
  [/^read (\d+) KiB$/, "read", (m) => ({ kib: m[1]! })],
  [/^imported (\d+) rows as v(\d+)$/, "imported", (m) => ({ rows: m[1]!, version: m[2]! })],
  [/^(\d+)\/(\d+) chunks, (\d+) candidates$/, "chunks", (m) => ({ done: m[1]!, total: m[2]!, candidates: m[3]! })],
  [/^scoring round trips$/, "scoringRoundTrips", () => ({})],
  [/^(\d+) candidates$/, "candidates", (m) => ({ count: m[1]! })],
  [/^step (\d+)\/(\S+)$/, "step", (m) => ({ step: m[1]!, total: m[2]! })],
  [/^merging$/, "merging", () => ({})],
  [/^merged$/, "merged", () => ({})],
  [/^reading rows$/, "readingRows", () => ({})],
  [/^score (\d+)$/, "score", (m) => ({ score: m[1]! })],
  [/^done$/, "done", () => ({})],
  [/^loading model$/, "loadingModel", () => ({})],
  [/^loading (.+)$/, "loading", (m) => ({ model: m[1]! })],
  [/^encoded (\d+)\/(\d+) pool texts$/, "encodedPool", (m) => ({ done: m[1]!, total: m[2]! })],
  [/^encoded (\d+)(?:\/| of )(\d+) documents$/, "encodedDocuments", (m) => ({ done: m[1]!, total: m[2]! })],
  [/^searching$/, "searching", () => ({})],
  [/^searching \((.+)\)$/, "searchingMode", (m) => ({ mode: m[1]! })],
  [/^exporting and loading the model$/, "exportingModel", () => ({})],
  [/^exporting (.+)$/, "exporting", (m) => ({ what: m[1]! })],
  [/^indexed (\d+) documents$/, "indexed", (m) => ({ count: m[1]! })],
  [/^resuming after batch (\d+) of (\d+)$/, "resuming", (m) => ({ batch: m[1]!, total: m[2]! })],
  [/^writing (.+) files$/, "writingFiles", (m) => ({ stores: m[1]! })],
  [/^LIVE at (\S+)$/, "liveAt", (m) => ({ url: m[1]! })],
  [/^awaiting Go live at (\S+)$/, "awaitingAt", (m) => ({ url: m[1]! })],
  [/^undeployed$/, "undeployed", () => ({})],
  [/^stopped$/, "stopped", () => ({})],
  [/^parity cosine (\S+) \((.+)\)$/, "parityCosine", (m) => ({ cosine: m[1]!, precision: m[2]! })],
  [/^parity (\S+)$/, "parity", (m) => ({ maxAbs: m[1]! })],
];

/** Every jobMessages key the patterns use (a test checks both message files have them). */
export const JOB_MESSAGE_KEYS = [...new Set([...PHRASES.map(([, key]) => key), "labelled", "waitingGoLive", "general"])];

function known(message: string, t: JobMessageTranslator): string | null {
  for (const [pattern, key, values] of PHRASES) {
    const m = pattern.exec(message);
    if (m) return t(key, values(m));
  }
  const waiting = /^(.+); waiting for Go live$/.exec(message);
  if (waiting) {
    const first = known(waiting[1]!, t);
    return first === null ? null : t("waitingGoLive", { message: first });
  }
  // "<subject label>: <phrase>" (an evaluation over several models, the general-domain pass of a run)
  const labelled = /^([^:]{1,120}): (.+)$/.exec(message);
  if (labelled) {
    const rest = known(labelled[2]!, t);
    return rest === null ? null : t("labelled", { label: labelled[1] === "general" ? t("general") : labelled[1]!, message: rest });
  }
  return null;
}

/** The message in the user's language when it is a known phrase, else unchanged. */
export function jobMessage(message: string | null | undefined, t: JobMessageTranslator): string {
  if (!message) return "";
  return known(message, t) ?? message;
}
