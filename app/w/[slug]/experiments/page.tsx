import { ExperimentsHome } from "./experiments-home";

export default function ExperimentsPage() {
  return <ExperimentsHome />;
}
