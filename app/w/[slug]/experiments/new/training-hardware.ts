/**
 * What a new run would train on, from the registered workers' capabilities: "gpu" when an online worker that takes
 * `train` jobs reports a GPU, "cpu" when only CPU workers take them, "none" when no online worker does. The
 * estimate's minutes assume one GPU; the form says so only when one exists (#20 item 9: "on one GPU" on a CPU-only
 * worker).
 */
export type TrainingHardware = "gpu" | "cpu" | "none";

export interface WorkerView {
  status: string;
  jobTypes: string[];
  capabilities: Record<string, unknown>;
}

export function trainingHardware(workers: readonly WorkerView[]): TrainingHardware {
  const trainers = workers.filter((w) => w.status === "online" && w.jobTypes.includes("train"));
  if (!trainers.length) return "none";
  const hasGpu = trainers.some((w) => Array.isArray(w.capabilities.gpus) && w.capabilities.gpus.length > 0);
  return hasGpu ? "gpu" : "cpu";
}
