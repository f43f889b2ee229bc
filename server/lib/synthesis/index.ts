/** Synthesis: chunking, offline questions, prompt templates, OpenAI-compatible client, tolerant reply parsing. */
export * from "./chunk";
export * from "./templates";
export * from "./parse-questions";
export * from "./offline-questions";
export * from "./chat-client";
export * from "./generate";
export * from "./llm-address-policy";
export * from "./guarded-request";
