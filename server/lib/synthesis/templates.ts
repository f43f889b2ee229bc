/**
 * Prompt templates are data: `{ id, domain, language, system, user }`, editable per workspace. Placeholders are
 * `{{name}}`; `renderTemplate` fills `{{chunk}}` (the passage), `{{k}}` (how many questions) and any extra variables,
 * and refuses a template that names a variable it was not given (a typo would otherwise reach the LLM). A user
 * prompt must contain `{{chunk}}` and `{{k}}` (`validateTemplate`). Every default asks for a JSON array of strings,
 * which `parseQuestions` reads best, but the parser also accepts lists.
 */
export type Domain = "medical" | "legal" | "finance" | "custom";
export type Language = "zh" | "en";

export interface PromptTemplate {
  id: string;
  domain: Domain;
  language: Language;
  system: string;
  user: string;
}

const EN_ROLE: Record<Domain, string> = {
  medical: "You write questions that patients and clinicians would type into a medical search engine.",
  legal: "You write questions that clients and lawyers would type into a legal search engine.",
  finance: "You write questions that investors and analysts would type into a financial search engine.",
  custom: "You write questions that users of this document collection would type into its search engine.",
};
const ZH_ROLE: Record<Domain, string> = {
  medical: "你负责编写患者和医生会在医学搜索引擎中输入的问题。",
  legal: "你负责编写当事人和律师会在法律检索系统中输入的问题。",
  finance: "你负责编写投资者和分析师会在金融搜索引擎中输入的问题。",
  custom: "你负责编写该文档库的用户会在搜索框中输入的问题。",
};

const EN_USER =
  "Passage:\n\"\"\"\n{{chunk}}\n\"\"\"\n\nWrite {{k}} different questions that this passage answers. Each question must be answerable from the passage alone, use the words a real user would use (not copied sentences), and be self-contained. Reply with a JSON array of {{k}} strings and nothing else.";
const ZH_USER =
  "文档片段：\n\"\"\"\n{{chunk}}\n\"\"\"\n\n请写出 {{k}} 个不同的问题，要求：仅凭这段文字即可回答；使用真实用户的口语化表达，不要照抄原句；每个问题独立完整。只输出一个包含 {{k}} 个字符串的 JSON 数组，不要输出其他内容。";

export const DEFAULT_TEMPLATES: PromptTemplate[] = (["medical", "legal", "finance", "custom"] as const).flatMap((domain) => [
  { id: `${domain}-en`, domain, language: "en" as const, system: EN_ROLE[domain], user: EN_USER },
  { id: `${domain}-zh`, domain, language: "zh" as const, system: ZH_ROLE[domain], user: ZH_USER },
]);

export function defaultTemplate(domain: Domain, language: Language): PromptTemplate {
  return DEFAULT_TEMPLATES.find((t) => t.domain === domain && t.language === language)!;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

export function placeholders(s: string): string[] {
  return [...new Set(Array.from(s.matchAll(PLACEHOLDER), (m) => m[1]!))];
}

/** Problems with an edited template (empty list when fine). */
export function validateTemplate(t: PromptTemplate): string[] {
  const errs: string[] = [];
  if (!t.id.trim()) errs.push("id is empty");
  if (!t.user.trim()) errs.push("user prompt is empty");
  const ph = placeholders(t.user);
  if (!ph.includes("chunk")) errs.push("user prompt must contain {{chunk}}");
  if (!ph.includes("k")) errs.push("user prompt must contain {{k}}");
  return errs;
}

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export function renderTemplate(t: PromptTemplate, vars: { chunk: string; k: number } & Record<string, string | number>): ChatMessage[] {
  const fill = (s: string) =>
    s.replace(PLACEHOLDER, (_, name: string) => {
      const v = vars[name];
      if (v === undefined) throw new Error(`template ${t.id}: no value for {{${name}}}`);
      return String(v);
    });
  const msgs: ChatMessage[] = [];
  if (t.system.trim()) msgs.push({ role: "system", content: fill(t.system) });
  msgs.push({ role: "user", content: fill(t.user) });
  return msgs;
}
