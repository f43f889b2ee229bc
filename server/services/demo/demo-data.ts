import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The demo data shipped in the repository (data/demo/README.md): a compact sample of the real medical data sets. */
export const SHIPPED_DEMO_DATA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../data/demo");

/**
 * Where the demo finds its data: M3_DEMO_DATA (a folder of the same layout, e.g. the full data sets), else the
 * sample shipped in the repository — so a fresh clone has everything it needs. Null when neither holds both files.
 */
export function demoDataDir(): string | null {
  const candidates = [process.env.M3_DEMO_DATA, SHIPPED_DEMO_DATA].filter((p): p is string => !!p);
  return candidates.find((dir) => existsSync(path.join(dir, ZH_CSV)) && existsSync(path.join(dir, MEDQUAD))) ?? null;
}

export const ZH_CSV = "zh-medical-dialogue/liver-digestive.gb18030.csv";
export const MEDQUAD = "medquad-en/gard-ghr.jsonl";

/** str.isspace() characters of Python (JS \s differs: it has U+FEFF and lacks U+001C–U+001F, U+0085). */
const PY_WHITESPACE = /[\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

/** Python's `" ".join(s.split())`: collapse whitespace runs, trim. */
export function clean(s: string | undefined | null): string {
  return (s ?? "").split(PY_WHITESPACE).filter(Boolean).join(" ");
}

/**
 * The demo model's held-out rule (gpu-worker/trainer/demo/data.py, docs/CONTRACTS.md): a row is held out iff
 * int(sha1(key), 16) % 10 == 0, key = "en:" + lower(focus) (a whole MedQuAD focus is held out: its questions are
 * templated) or "zh:" + the collapsed answer text (duplicate answers form one group). The demo model never saw these
 * rows, so metrics on them are honest; the same rule here keeps training and evaluation data apart.
 */
export function isHeldOut(key: string): boolean {
  return BigInt(`0x${createHash("sha1").update(key, "utf8").digest("hex")}`) % 10n === 0n;
}

export const medquadKey = (focus: string) => `en:${clean(focus).toLowerCase()}`;
export const zhKey = (answer: string) => `zh:${clean(answer)}`;
