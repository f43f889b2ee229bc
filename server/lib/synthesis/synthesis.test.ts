import { MEDQUAD_JSONL, ZH_DIALOGUE_CSV } from "../../testing/shared-data";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOpenAiStub, type OpenAiStub } from "../../testing/openai-stub";
import { readRecords } from "../parsing";
import {
  backoffDelay,
  ChatError,
  chunkText,
  createChatClient,
  DEFAULT_TEMPLATES,
  defaultTemplate,
  detectLanguage,
  generateOfflineQuestions,
  generateQuestionsWithLlm,
  parseQuestions,
  parseRetryAfter,
  renderTemplate,
  SynthesisCounters,
  validateTemplate,
  type TokenOffsets,
} from "./index";

describe("chunkText", () => {
  it("characters: size 10, overlap 3", () => {
    const c = chunkText("abcdefghijklmnopqrstuvwxyz", { size: 10, overlap: 3 });
    expect(c.map((x) => [x.start, x.end, x.text])).toEqual([
      [0, 10, "abcdefghij"],
      [7, 17, "hijklmnopq"],
      [14, 24, "opqrstuvwx"],
      [21, 26, "vwxyz"],
    ]);
  });
  it("cuts back to a sentence end in the window's last 30%", () => {
    const t = "肝脏是人体的化工厂。脂肪肝是常见病。";
    const c = chunkText(t, { size: 12 });
    expect(c[0]!.text).toBe("肝脏是人体的化工厂。");
    expect(c.map((x) => x.text).join("")).toBe(t);
  });
  it("token offsets: exact token windows", () => {
    const ws: TokenOffsets = (s) => Array.from(s.matchAll(/\S+/g), (m) => [m.index, m.index + m[0].length] as [number, number]);
    expect(chunkText("a b c d e f g", { size: 3, overlap: 1, offsets: ws }).map((c) => [c.text, c.tokens])).toEqual([
      ["a b c", 3],
      ["c d e", 3],
      ["e f g", 3],
    ]);
  });
  it("token counts: every chunk within size, the text covered", () => {
    const count = (s: string) => (s.match(/\S+/g) ?? []).length;
    const text = Array.from({ length: 100 }, (_, i) => `word${i}`).join(" ");
    const c = chunkText(text, { size: 16, overlap: 4, count });
    expect(c.every((x) => x.tokens <= 16 && x.tokens >= 1)).toBe(true);
    expect(c[0]!.start).toBe(0);
    expect(c[c.length - 1]!.end).toBe(text.length);
    for (let i = 1; i < c.length; i++) expect(c[i]!.start).toBeLessThan(c[i - 1]!.end); // overlap
  });
  it("never splits a surrogate pair; rejects bad options; empty text gives no chunk", () => {
    const c = chunkText("😀😀😀😀😀", { size: 2 });
    expect(c.map((x) => x.text)).toEqual(["😀😀", "😀😀", "😀"]);
    expect(() => chunkText("x", { size: 4, overlap: 4 })).toThrow(RangeError);
    expect(chunkText("  \n ", { size: 4 })).toEqual([]);
  });
});

describe("templates", () => {
  it("four domains × two languages, all valid, editable as data", () => {
    expect(DEFAULT_TEMPLATES).toHaveLength(8);
    for (const t of DEFAULT_TEMPLATES) expect(validateTemplate(t)).toEqual([]);
    const msgs = renderTemplate(defaultTemplate("medical", "zh"), { chunk: "肝脏是化工厂。", k: 3 });
    expect(msgs[0]!.role).toBe("system");
    expect(msgs[1]!.content).toContain("肝脏是化工厂。");
    expect(msgs[1]!.content).toContain("3 个不同的问题");
    const edited = { ...defaultTemplate("legal", "en"), user: "Text: {{chunk}}\nGive {{k}} questions about {{jurisdiction}}." };
    expect(renderTemplate(edited, { chunk: "c", k: 2, jurisdiction: "Germany" })[1]!.content).toBe("Text: c\nGive 2 questions about Germany.");
    expect(() => renderTemplate(edited, { chunk: "c", k: 2 })).toThrow("no value for {{jurisdiction}}");
    expect(validateTemplate({ ...edited, user: "only {{k}}" })).toEqual(["user prompt must contain {{chunk}}"]);
  });
});

describe("parseQuestions", () => {
  it.each([
    ['["Q1?","Q2?","Q3?"]', ["Q1?", "Q2?"], "json"],
    ['```json\n["Q1?", "Q2?"]\n```', ["Q1?", "Q2?"], "json"],
    ['Sure! Here you go:\n["A?", "B?"]\nHope it helps.', ["A?", "B?"], "json"],
    ['{"questions":[{"question":"A?"},{"query":"B?"}]}', ["A?", "B?"], "json"],
    ["1. What is A?\n2) What is B?\n3、C是什么？", ["What is A?", "What is B?"], "list"],
    ["Here are questions:\n- first?\n* second?", ["first?", "second?"], "list"],
    ["问题1：肝炎怎么治疗？\n问题2：脂肪肝是什么？", ["肝炎怎么治疗？", "脂肪肝是什么？"], "list"],
    ["Some intro\nIs this a question?\nno", ["Is this a question?"], "question-lines"],
    ['["A?","A?"," ","B?"]', ["A?", "B?"], "json"],
  ])("%j", (reply, expected, shape) => {
    expect(parseQuestions(reply, 2)).toEqual({ questions: expected, malformed: false, shape });
  });
  it.each(["", "I cannot help with that.", '{"questions": "none"}', "[]"])("malformed: %j", (reply) => {
    expect(parseQuestions(reply, 3)).toEqual({ questions: [], malformed: true, shape: "none" });
  });
});

describe("offline question generator", () => {
  it("English rules", () => {
    const chunk =
      "ABCD syndrome is an inherited disorder. Signs and symptoms of ABCD syndrome include albinism and deafness. Treatment for hepatitis B may include antiviral drugs. Gallstones are usually caused by cholesterol. It is rare.";
    expect(generateOfflineQuestions(chunk, 4)).toEqual([
      "What is ABCD syndrome?",
      "What are the symptoms of ABCD syndrome?",
      "How is hepatitis B treated?",
      "What causes Gallstones?",
    ]);
    // keyword fill-up: "What is ABCD syndrome?" already exists, so one more
    expect(generateOfflineQuestions(chunk, 6).slice(4)).toEqual(["What should I know about ABCD syndrome?"]);
  });
  it("Chinese rules", () => {
    const chunk = "脂肪肝是指肝细胞内脂肪堆积过多的病变。脂肪肝的症状包括乏力和肝区不适。胆结石多由胆固醇过高引起。治疗脂肪肝主要是控制饮食。";
    expect(detectLanguage(chunk)).toBe("zh");
    expect(generateOfflineQuestions(chunk, 4)).toEqual(["什么是脂肪肝？", "脂肪肝有哪些症状？", "胆结石是什么原因引起的？", "脂肪肝怎么治疗？"]);
  });
  it("deterministic, and produces candidates for real chunks in both languages", async () => {
    let withQuestions = 0;
    let total = 0;
    for await (const { record } of readRecords(ZH_DIALOGUE_CSV, { format: "csv" })) {
      total++;
      const qs = generateOfflineQuestions(String(record.answer), 3);
      expect(generateOfflineQuestions(String(record.answer), 3)).toEqual(qs);
      if (qs.length) withQuestions++;
      if (total >= 300) break;
    }
    expect(withQuestions / total).toBeGreaterThan(0.95);
    let en = 0;
    for await (const { record } of readRecords(MEDQUAD_JSONL, { format: "jsonl" })) {
      const qs = generateOfflineQuestions(String(record.answer), 3);
      expect(qs.length).toBeGreaterThan(0);
      expect(qs.every((q) => q.endsWith("?"))).toBe(true);
      if (++en >= 300) break;
    }
  });
});

describe("chat client against a real local OpenAI-compatible server", () => {
  let stub: OpenAiStub;
  beforeAll(async () => {
    stub = await startOpenAiStub();
  });
  afterAll(async () => {
    await stub.close();
  });
  const sleeps: number[] = [];
  const fast = { sleep: async (ms: number) => void sleeps.push(ms), random: () => 0 };
  const client = (extra: Partial<Parameters<typeof createChatClient>[0]> = {}) =>
    createChatClient({ baseUrl: stub.baseUrl, apiKey: "sk-test", model: "m-1", allowedHosts: ["127.0.0.1"], timeoutMs: 2000, baseDelayMs: 100, ...fast, ...extra });

  it("sends model, messages and the bearer key; returns content and usage", async () => {
    stub.requests.length = 0;
    stub.enqueue({ kind: "ok", content: '["Q?"]' });
    const r = await client().complete([{ role: "user", content: "hi" }], { temperature: 0.2, maxTokens: 50 });
    expect(r).toEqual({ content: '["Q?"]', attempts: 1, usage: { promptTokens: 10, completionTokens: 20 } });
    expect(stub.requests[0]!.url).toBe("/v1/chat/completions");
    expect(stub.requests[0]!.headers.authorization).toBe("Bearer sk-test");
    expect(stub.requests[0]!.body).toEqual({ model: "m-1", messages: [{ role: "user", content: "hi" }], temperature: 0.2, max_tokens: 50 });
  });

  it("429 with Retry-After is honoured exactly; 5xx and malformed bodies back off exponentially", async () => {
    sleeps.length = 0;
    stub.enqueue({ kind: "status", status: 429, retryAfter: "2" }, { kind: "status", status: 500 }, { kind: "malformed-json" }, { kind: "html" }, { kind: "ok", content: "ok" });
    const r = await client({ maxRetries: 5 }).complete([{ role: "user", content: "x" }]);
    expect(r.attempts).toBe(5);
    // random() = 0 → factor 0.5: 100·2¹·0.5, 100·2²·0.5, 100·2³·0.5
    expect(sleeps).toEqual([2000, 100, 200, 400]);
  });

  it("gives up after maxRetries with a typed error; 4xx is not retried", async () => {
    stub.enqueue({ kind: "status", status: 503 }, { kind: "status", status: 502 }, { kind: "status", status: 500 });
    const e = await client({ maxRetries: 2 }).complete([{ role: "user", content: "x" }]).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ChatError);
    expect(e).toMatchObject({ kind: "http", status: 500, attempts: 3 });
    stub.enqueue({ kind: "status", status: 401 });
    const e2 = await client().complete([{ role: "user", content: "x" }]).catch((x: unknown) => x);
    expect(e2).toMatchObject({ kind: "http", status: 401, attempts: 1 });
    expect((e2 as Error).message).not.toContain("sk-test");
    stub.enqueue({ kind: "status", status: 429, retryAfter: "3600" });
    await expect(client().complete([{ role: "user", content: "x" }])).rejects.toMatchObject({ kind: "rate_limited", attempts: 1 });
  });

  it("a hanging server times out and is retried", async () => {
    stub.enqueue({ kind: "hang" }, { kind: "ok", content: "after hang" });
    const r = await client({ timeoutMs: 150 }).complete([{ role: "user", content: "x" }]);
    expect(r).toMatchObject({ content: "after hang", attempts: 2 });
    stub.enqueue({ kind: "hang" }, { kind: "hang" });
    await expect(client({ timeoutMs: 100, maxRetries: 1 }).complete([{ role: "user", content: "x" }])).rejects.toMatchObject({ kind: "timeout", attempts: 2 });
  });

  it("an AbortSignal stops a hanging request and a backoff sleep", async () => {
    stub.enqueue({ kind: "hang" });
    const ctrl = new AbortController();
    const p = client({ timeoutMs: 30_000 }).complete([{ role: "user", content: "x" }], { signal: ctrl.signal });
    setTimeout(() => ctrl.abort(new Error("cancelled by user")), 50);
    await expect(p).rejects.toThrow("cancelled by user");
    stub.enqueue({ kind: "status", status: 500 });
    const ctrl2 = new AbortController();
    const real = createChatClient({ baseUrl: stub.baseUrl, model: "m", allowedHosts: ["127.0.0.1"], baseDelayMs: 20_000, random: () => 0 });
    const p2 = real.complete([{ role: "user", content: "x" }], { signal: ctrl2.signal });
    setTimeout(() => ctrl2.abort(new Error("stop during backoff")), 100);
    await expect(p2).rejects.toThrow("stop during backoff");
  });

  it("generateQuestionsWithLlm counts malformed replies and failures instead of throwing", async () => {
    const counters = new SynthesisCounters();
    const t = defaultTemplate("medical", "en");
    stub.enqueue(
      { kind: "ok", content: "Sure! Here are some questions:\n1. What causes fatty liver?\n2. How is it treated?" },
      { kind: "ok", content: "I am sorry, I cannot do that." },
      { kind: "no-choices" },
      { kind: "no-choices" },
    );
    const c = client({ maxRetries: 1 });
    counters.add(await generateQuestionsWithLlm(c, t, "Fatty liver is …", 2));
    counters.add(await generateQuestionsWithLlm(c, t, "chunk", 2));
    const failed = await generateQuestionsWithLlm(c, t, "chunk", 2);
    counters.add(failed);
    expect(failed.error).toMatchObject({ kind: "bad_response" });
    counters.add(await generateQuestionsWithLlm(c, t, "chunk", 3)); // fallback: three questions
    expect(counters.toJSON()).toEqual({ chunks: 4, questions: 5, malformed: 1, failed: 1, attempts: 5 });
    const last = stub.requests[stub.requests.length - 1]!.body as { messages: Array<{ content: string }> };
    expect(last.messages[1]!.content).toContain("Write 3 different questions");
  });
});

describe("backoff helpers", () => {
  it("Retry-After seconds and HTTP date; equal-jitter bounds", () => {
    expect(parseRetryAfter("2")).toBe(2000);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:10 GMT", Date.parse("Thu, 01 Jan 2026 00:00:00 GMT"))).toBe(10_000);
    expect(parseRetryAfter("soon")).toBeNull();
    const o = { baseDelayMs: 500, maxDelayMs: 30_000 };
    expect(backoffDelay(0, o, () => 0)).toBe(250);
    expect(backoffDelay(3, o, () => 0.999999)).toBe(4000);
    expect(backoffDelay(20, o, () => 0)).toBe(15_000);
  });
});
