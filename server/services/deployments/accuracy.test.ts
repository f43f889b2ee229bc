import { beforeAll, describe, expect, it } from "vitest";
import { db } from "../../db";
import { callerFor, createUser, createWorkspaceWith } from "../../testing/factories";
import { claimAccuracyCheck, saveAccuracyCheck, type AccuracyCheck } from "./accuracy";
import { isAccuracyGated } from "./precision";

/** Go live on an int8 deployment: refused while measuring, needs "I accept" above a 2% nDCG@10 drop, once only. */
let ownerId: string;
let workspaceId: string;

beforeAll(async () => {
  ownerId = (await createUser()).id;
  workspaceId = (await createWorkspaceWith([{ userId: ownerId, role: "OWNER" }])).id;
});

async function deploymentWith(check: Partial<AccuracyCheck> | null, quantization: "int8" | "fp16" = "int8") {
  const modelDir = "/models/x";
  return db.deployment.create({
    data: {
      workspaceId, name: "q", modelDir, modelLabel: "x", quantization, createdById: ownerId, status: "AWAITING_APPROVAL",
      accuracyCheck: check ? ({ modelDir, evalVersionId: "v", jobId: "j", startedAt: new Date().toISOString(), ...check } as object) : undefined,
    },
  });
}

const metrics = (ndcg: number, mrr: number) => ({ "ndcg@10": ndcg, "mrr@10": mrr });

describe("goLive", () => {
  it("refuses while the check runs, asks to acknowledge a large drop, approves once", async () => {
    const owner = callerFor(ownerId);
    const running = await deploymentWith({ status: "running" });
    await expect(owner.deployment.goLive({ workspaceId, deploymentId: running.id })).rejects.toThrow(/not finished/);

    const big = await deploymentWith({ status: "done", fp32: metrics(0.4, 0.3), int8: metrics(0.38, 0.29), deltaPct: metrics(-5, -3.3) });
    await expect(owner.deployment.goLive({ workspaceId, deploymentId: big.id })).rejects.toThrow(/loses 5\.0% nDCG@10/);
    await owner.deployment.goLive({ workspaceId, deploymentId: big.id, acknowledgeDrop: true });
    const approved = (await db.deployment.findUniqueOrThrow({ where: { id: big.id } })).accuracyCheck as unknown as AccuracyCheck;
    expect(approved.approvedById).toBe(ownerId);
    const audit = await db.auditLog.findFirst({ where: { workspaceId, action: "deployment.went_live" } });
    expect(audit?.actorId).toBe(ownerId);
    expect(audit?.details).toMatchObject({ deploymentId: big.id, ndcgDeltaPct: -5 });
    await expect(owner.deployment.goLive({ workspaceId, deploymentId: big.id, acknowledgeDrop: true })).rejects.toThrow(/already live/);

    const small = await deploymentWith({ status: "done", fp32: metrics(0.4, 0.3), int8: metrics(0.398, 0.3), deltaPct: metrics(-0.5, 0) });
    await owner.deployment.goLive({ workspaceId, deploymentId: small.id });

    const unknown = await deploymentWith({ status: "skipped", reason: "no evaluation version" });
    await expect(owner.deployment.goLive({ workspaceId, deploymentId: unknown.id })).rejects.toThrow(/unknown/);
  });
});

describe("fp16 has the same gate as int8", () => {
  it("only fp32 goes live without a measured cost", () => {
    expect((["fp32", "int8", "fp16"] as const).map(isAccuracyGated)).toEqual([false, true, true]);
  });

  it("an fp16 check records its precision, and Go live names fp16 when the drop needs acknowledging", async () => {
    const owner = callerFor(ownerId);
    const d = await deploymentWith(null, "fp16");
    const { mine, check } = await claimAccuracyCheck(d.id, "/models/x", "job-fp16", "v", "fp16");
    expect(mine).toBe(true);
    expect(check?.precision).toBe("fp16");
    await saveAccuracyCheck(d.id, { ...check!, status: "done", fp32: metrics(0.4, 0.3), int8: metrics(0.38, 0.29), deltaPct: metrics(-5, -3.3) });
    await expect(owner.deployment.goLive({ workspaceId, deploymentId: d.id })).rejects.toThrow(/^fp16 loses 5\.0% nDCG@10/);
    await owner.deployment.goLive({ workspaceId, deploymentId: d.id, acknowledgeDrop: true });
  });
});
