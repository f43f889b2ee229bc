import type { Locator } from "@playwright/test";

/**
 * English left in the Chinese UI (#20 item 4): the Latin words of a region's visible text that are neither a
 * product, format or unit name (ALLOWED) nor the user's own data (`userData`: names the spec chose, model folder
 * names), two letters or more. Tokens with a digit, an underscore, a dot, a slash, a colon or an @ are ids, numbers with units, file
 * names, paths or URLs, not words. Code, logs and URLs in <pre>/<code>, and keys to press in <kbd>, are not UI text.
 */
export const ALLOWED = new Set([
  // products, models, formats, protocols
  "m3", "bge", "bgem3", "xlm", "xlmrobertamodel", "lora", "onnx", "onnxruntime", "colbert", "openai", "langchain", "prometheus",
  "medquad", "beir", "json", "jsonl", "csv", "tsv", "txt", "md", "utf", "gbk", "api", "url", "http", "https", "rag", "llm",
  "gpu", "cpu", "cuda", "ram", "pytorch", "torch", "torchrun", "infonce", "adamw", "sse", "ci",
  // metrics
  "ndcg", "mrr", "map", "bm25", "tf", "idf", "ema", "lr", "eta", "qps",
  // units
  "ms", "min", "kb", "mb", "gb", "kib", "mib", "gib", "id",
]);

export async function latinWords(region: Locator, userData: string[] = []): Promise<string[]> {
  const text = await region.evaluate((root) => {
    const parts: string[] = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      const el = node.parentElement;
      if (!el || el.closest("pre, code, kbd, script, style, select")) continue; // kbd: a key to press
      if (!el.checkVisibility()) continue;
      parts.push(node.textContent ?? "");
    }
    // A <select> shows its chosen option only.
    for (const select of Array.from(root.querySelectorAll("select"))) {
      if (select.checkVisibility()) parts.push(select.selectedOptions[0]?.textContent ?? "");
    }
    return parts.join(" ");
  });
  const own = new Set(userData.flatMap((d) => d.toLowerCase().split(/[\s\-·,()]+/)).filter(Boolean));
  const words = text
    .split(/[\s\u3000-\u303f\uff00-\uffef，。：；（）·…—–“”‘’"'()[\]{}<>|,;!?%+=×⊕≈≥≤~*#]+/)
    .filter((token) => token && !/[0-9_./:@\\]/.test(token))
    .flatMap((token) => token.match(/[A-Za-z]{2,}/g) ?? []); // one letter is a key to press (A 接受), a unit or a symbol (W)
  return [...new Set(words)].filter((w) => !ALLOWED.has(w.toLowerCase()) && !own.has(w.toLowerCase()));
}
