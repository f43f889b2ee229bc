/** Pure import libraries: streaming readers, encodings, validators per data kind, CSV safety, archive refusal. */
export * from "./issues";
export * from "./encoding";
export * from "./source";
export * from "./lines";
export * from "./csv";
export * from "./records";
export * from "./formula";
export * from "./files";
export * from "./training";
export * from "./evaluation";
export * from "./eval-builder";
export * from "./crosscheck";
export * from "./raglog";
export * from "./documents";
