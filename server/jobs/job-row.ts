/** The columns of "Job" as the queue SQL returns them. */
export interface JobRow {
  id: string;
  workspaceId: string | null;
  type: string;
  payload: unknown;
  status: "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED";
  priority: number;
  attempts: number;
  maxAttempts: number;
  leaseSeconds: number;
  lockedBy: string | null;
  cancelRequested: boolean;
}
