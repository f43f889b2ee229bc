import { JobsTable } from "./jobs-table";

export default function JobsPage() {
  return <JobsTable />;
}
