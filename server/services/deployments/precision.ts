import { db } from "../../db";
import { AppError } from "../../lib/app-error";

export const PRECISIONS = ["fp32", "int8", "fp16"] as const;
export type Precision = (typeof PRECISIONS)[number];

/** ONNX graph served for each precision, inside the model folder. */
export const PRECISION_ONNX_FILE: Record<Precision, string> = {
  fp32: "onnx/model.onnx",
  int8: "onnx/model.int8.onnx",
  fp16: "onnx/model.fp16.onnx",
};

/** How close the served output must be to PyTorch's output of the same checkpoint (gpu-worker/deploy/parity-probe.ts) before a replica takes traffic. */
export const PARITY_RULE: Record<Precision, { kind: "maxAbs"; limit: number } | { kind: "minCosine"; limit: number }> = {
  fp32: { kind: "maxAbs", limit: 1e-4 },
  fp16: { kind: "minCosine", limit: 0.999 },
  int8: { kind: "minCosine", limit: 0.99 },
};

/** Precisions that approximate fp32 by design: their retrieval cost is measured and approved ("Go live") first. */
export type GatedPrecision = Exclude<Precision, "fp32">;
export const isAccuracyGated = (precision: Precision): precision is GatedPrecision => precision !== "fp32";

const ONLINE_MS = 60_000;

/**
 * Which precisions can be deployed now: fp32 and int8 run on any worker's CPU; fp16 only pays off on a
 * GPU, so it is offered while a worker that reports one (gpu-worker/capabilities.ts) is online.
 */
export async function precisionOptions(): Promise<{ precision: Precision; available: boolean }[]> {
  const workers = await db.worker.findMany({ where: { status: "online", heartbeatAt: { gt: new Date(Date.now() - ONLINE_MS) } }, select: { capabilities: true } });
  const gpu = workers.some((w) => ((w.capabilities as { provides?: string[] } | null)?.provides ?? []).includes("gpu"));
  return PRECISIONS.map((precision) => ({ precision, available: precision !== "fp16" || gpu }));
}

export async function assertPrecisionAvailable(precision: Precision): Promise<void> {
  const option = (await precisionOptions()).find((o) => o.precision === precision);
  if (!option?.available) throw new AppError("BAD_REQUEST", "fp16 needs a GPU worker, and none is online: choose fp32 or int8", "precision");
}

/** What the deploy dialog offers: precisions (fp16 only with a GPU worker) and evaluation versions for the int8 check. */
export async function deployOptions({ workspaceId }: { workspaceId: string }) {
  const versions = await db.datasetVersion.findMany({
    where: { workspaceId, dataset: { kind: "EVALUATION" } }, orderBy: { createdAt: "desc" }, take: 50,
    select: { id: true, number: true, rowCount: true, dataset: { select: { name: true } } },
  });
  return {
    precisions: await precisionOptions(),
    evalVersions: versions.map((v) => ({ id: v.id, label: `${v.dataset.name} v${v.number}` })),
  };
}
