import { DeploymentsHome } from "./deployments-home";

export default function DeploymentsPage() {
  return <DeploymentsHome />;
}
