import { db } from "../../db";
import { DEFAULT_TEMPLATES, validateTemplate, type Domain, type Language } from "../../lib/synthesis";
import { AppError } from "../../lib/app-error";

/** Every domain × language template: the team's edit where there is one, else the default. */
export async function listTemplates({ workspaceId }: { workspaceId: string }) {
  const custom = await db.promptTemplate.findMany({ where: { workspaceId } });
  return DEFAULT_TEMPLATES.map((t) => {
    const edit = custom.find((c) => c.domain === t.domain && c.language === t.language);
    return edit ? { ...t, system: edit.system, user: edit.user, edited: true } : { ...t, edited: false };
  });
}

export async function saveTemplate({ workspaceId, domain, language, system, user }: { workspaceId: string; domain: Domain; language: Language; system: string; user: string }) {
  const problems = validateTemplate({ id: `${domain}-${language}`, domain, language, system, user });
  if (problems.length) throw new AppError("BAD_REQUEST", problems.join("; "), "user");
  await db.promptTemplate.upsert({
    where: { workspaceId_domain_language: { workspaceId, domain, language } },
    create: { workspaceId, domain, language, system, user },
    update: { system, user },
  });
}
