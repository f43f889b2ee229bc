import { AuditTable } from "./audit-table";

export default function AuditPage() {
  return <AuditTable />;
}
