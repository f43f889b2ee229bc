import "server-only";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { DOC_TOPICS, type DocTopic } from "./topics";

/** docs/ of the checkout the server runs from (`npm start` and `next start` run in the repository root). */
const DOCS_DIR = path.join(process.cwd(), "docs");

/** Topics whose file exists (a page that another change has not added yet is simply not listed). */
export function availableTopics(): DocTopic[] {
  return DOC_TOPICS.filter((t) => existsSync(path.join(DOCS_DIR, `${t.slug}.md`)));
}

export async function readDoc(topic: DocTopic): Promise<string | null> {
  return readFile(path.join(DOCS_DIR, `${topic.slug}.md`), "utf8").catch(() => null);
}
