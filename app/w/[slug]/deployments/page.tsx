import { getTranslations } from "next-intl/server";
import { EmptyState, PageHeader } from "../../../_components/ui";

export default async function Page() {
  const t = await getTranslations("sections.deployments");
  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      <EmptyState title={t("emptyTitle")} body={t("emptyBody")} />
    </>
  );
}
