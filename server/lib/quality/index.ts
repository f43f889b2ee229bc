/** Dataset quality report: pure functions over arrays of training rows (see score.ts for the rules). */
export * from "./text";
export * from "./minhash";
export * from "./tfidf";
export * from "./lengths";
export * from "./duplicates";
export * from "./leakage";
export * from "./score";
export * from "./report";
