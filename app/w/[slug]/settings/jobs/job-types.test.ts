import { describe, expect, it } from "vitest";
import en from "~/server/i18n/messages/en.json";
import zh from "~/server/i18n/messages/zh.json";
import { jobDefinitions } from "~/server/jobs/definitions";

/** The jobs list names each job type in the user's language (#20 item 4: "train", "synthesize" in the zh UI). */
describe("job type names", () => {
  it("exist in both languages for every job type the platform defines", () => {
    const types = jobDefinitions.map((d) => d.type).sort();
    expect(Object.keys(en.jobs.types).sort()).toEqual(types);
    expect(Object.keys(zh.jobs.types).sort()).toEqual(types);
    for (const name of Object.values(zh.jobs.types)) expect(name).toMatch(/[\u4e00-\u9fff]/);
  });
});
