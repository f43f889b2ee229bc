import { DemoChecklist } from "../demo-checklist";
import { DatasetsList } from "./datasets-list";

/** The workspace's landing page (/w/[slug] redirects here): the demo checklist, when it is a demo workspace, above the datasets. */
export default function DatasetsPage() {
  return (
    <>
      <DemoChecklist />
      <DatasetsList />
    </>
  );
}
