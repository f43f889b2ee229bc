import { EvaluationsList } from "./evaluations-list";

export default function EvaluationsPage() {
  return <EvaluationsList />;
}
