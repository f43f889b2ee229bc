import { db } from "../db";
import { env } from "../env";
import { authenticateApiKey, hashKey } from "../services/deployments/api-keys";
import { clientAddress } from "./client-address";
import { createFailedKeyLimiter } from "./proxy-admission";
import { TtlCache } from "./ttl-cache";

/**
 * The proxy's own API-key check, done before any body is read: the same rule as the serving process
 * (authenticateApiKey: a live key of the deployment's workspace, scoped to it or to all), which still checks
 * again behind the proxy. Lookups are cached for at most a second (revocation still takes effect within
 * that second) and failed ones are budgeted per client address.
 */
const CACHE_MS = 1000;
/** A key that passed for a deployment within this long may still be checked there while its address is over budget. */
const RECENTLY_VALID_MS = 10 * 60_000;

type DeploymentRef = { id: string; workspaceId: string };
const deployments = new TtlCache<string, DeploymentRef | null>(CACHE_MS);
const keyChecks = new TtlCache<string, boolean>(CACHE_MS);
const recentlyValid = new TtlCache<string, true>(RECENTLY_VALID_MS);
const failedKeys = createFailedKeyLimiter({ limit: env.PROXY_FAILED_KEYS_PER_MINUTE, windowMs: 60_000 });

export type KeyCheck =
  | { ok: true }
  | { ok: false; reason: "missing_key" | "invalid_key" | "unknown_deployment" }
  | { ok: false; reason: "too_many_failures"; retryAfterSeconds: number };

export function bearerToken(request: Request): string | null {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(request.headers.get("authorization") ?? "");
  return match ? match[1]! : null;
}

async function findDeployment(deploymentId: string): Promise<DeploymentRef | null> {
  const hit = deployments.get(deploymentId);
  if (hit) return hit.value;
  const row = await db.deployment.findUnique({ where: { id: deploymentId }, select: { id: true, workspaceId: true } });
  deployments.set(deploymentId, row);
  return row;
}

/** Whether `request` carries a key allowed to call `deploymentId`. Throws only when the database does. */
export async function checkApiKey(request: Request, deploymentId: string): Promise<KeyCheck> {
  const token = bearerToken(request);
  if (!token) return { ok: false, reason: "missing_key" };
  const cacheKey = `${deploymentId}\0${hashKey(token)}`;
  const address = clientAddress(request);
  // Over budget: no lookup at all, unless this very key passed for this deployment recently (a flood from a
  // shared address must not lock out the clients that hold real keys; per deployment, so a valid key of one
  // workspace buys no unlimited probing of other deployment ids).
  const retryAfterSeconds = failedKeys.retryAfterSeconds(address);
  if (retryAfterSeconds > 0 && !recentlyValid.get(cacheKey)) return { ok: false, reason: "too_many_failures", retryAfterSeconds };

  const deployment = await findDeployment(deploymentId);
  if (!deployment) {
    failedKeys.recordFailure(address);
    return { ok: false, reason: "unknown_deployment" };
  }
  let valid = keyChecks.get(cacheKey)?.value;
  if (valid === undefined) {
    valid = (await authenticateApiKey(deployment, token)) !== null;
    keyChecks.set(cacheKey, valid);
  }
  if (!valid) {
    failedKeys.recordFailure(address);
    return { ok: false, reason: "invalid_key" };
  }
  recentlyValid.set(cacheKey, true);
  return { ok: true };
}
