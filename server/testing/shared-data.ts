import path from "node:path";

/** The project's shared data folder, beside the checkout (`../shared/data`), wherever the clone lives. */
export const SHARED_DATA = path.resolve(import.meta.dirname, "../../../shared/data");
export const ZH_DIALOGUE_CSV = path.join(SHARED_DATA, "zh-medical-dialogue/liver-digestive.gb18030.csv");
export const MEDQUAD_JSONL = path.join(SHARED_DATA, "medquad-en/gard-ghr.jsonl");
