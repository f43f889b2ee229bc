import { DatasetsList } from "./datasets-list";

export default function DatasetsPage() {
  return <DatasetsList />;
}
