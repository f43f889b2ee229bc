import type { Tx } from "../../db";

/**
 * The next version number of a dataset. Locks the dataset row so two concurrent imports
 * into one dataset get different numbers (the unique index is the backstop).
 */
export async function nextVersionNumber(tx: Tx, datasetId: string): Promise<number> {
  await tx.$executeRawUnsafe(`SELECT 1 FROM "Dataset" WHERE id = $1 FOR UPDATE`, datasetId);
  const last = await tx.datasetVersion.findFirst({ where: { datasetId }, orderBy: { number: "desc" }, select: { number: true } });
  return (last?.number ?? 0) + 1;
}
