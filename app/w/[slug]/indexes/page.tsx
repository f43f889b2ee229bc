import { IndexesHome } from "./indexes-home";

export default function IndexesPage() {
  return <IndexesHome />;
}
