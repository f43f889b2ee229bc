import { WorkersTable } from "./workers-table";

export default function WorkersPage() {
  return <WorkersTable />;
}
