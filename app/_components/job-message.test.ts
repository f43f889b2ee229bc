import { createTranslator } from "next-intl";
import { describe, expect, it } from "vitest";
import en from "~/server/i18n/messages/en.json";
import zh from "~/server/i18n/messages/zh.json";
import { JOB_MESSAGE_KEYS, jobMessage, type JobMessageTranslator } from "./job-message";

const translator = (locale: "en" | "zh"): JobMessageTranslator => {
  const t = createTranslator({ locale, messages: locale === "en" ? en : zh, namespace: "jobMessages" });
  return (key, values) => (t as unknown as JobMessageTranslator)(key, values);
};

describe("job messages in the user's language (#20 item 4)", () => {
  it("words the worker's phrases in Chinese, numbers kept", () => {
    const t = translator("zh");
    expect(jobMessage("read 6 KiB", t)).toBe("已读取 6 KiB");
    expect(jobMessage("step 3/96", t)).toBe("第 3/96 步");
    expect(jobMessage("imported 567 rows as v2", t)).toBe("已导入 567 行，生成 v2");
    expect(jobMessage("base model: encoded 40/120 documents", t)).toBe("base model：已编码 40/120 篇文档");
    expect(jobMessage("general: step 2/10", t)).toBe("通用领域：第 2/10 步");
    expect(jobMessage("parity cosine 0.99990 (int8); waiting for Go live", t)).toBe("一致性余弦 0.99990（int8）；等待上线确认");
  });

  it("leaves unknown text (errors, file names) as it came", () => {
    const t = translator("zh");
    expect(jobMessage("ENOENT: no such file", t)).toBe("ENOENT: no such file");
    expect(jobMessage("something new", t)).toBe("something new");
    expect(jobMessage(null, t)).toBe("");
  });

  it("English reads as the worker wrote it", () => {
    expect(jobMessage("encoded 10 of 20 documents", translator("en"))).toBe("encoded 10/20 documents");
    expect(jobMessage("LIVE at http://127.0.0.1:9000", translator("en"))).toBe("live at http://127.0.0.1:9000");
  });

  it("every phrase has a message in both files", () => {
    for (const messages of [en, zh]) {
      const wording = (messages as unknown as { jobMessages: Record<string, string> }).jobMessages;
      for (const key of JOB_MESSAGE_KEYS) expect(typeof wording[key], key).toBe("string");
    }
  });
});
