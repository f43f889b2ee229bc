import { ImportWizard } from "./import-wizard";

export default function ImportPage() {
  return <ImportWizard />;
}
