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

export type Refusal =
  | { ok: false; reason: "missing_key" | "invalid_key" | "unknown_deployment" | "unknown_split" }
  | { ok: false; reason: "too_many_failures"; retryAfterSeconds: number };
export type KeyCheck = { ok: true } | Refusal;

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

type Caller = { token: string; address: string; validKey: (scope: string) => string };

/**
 * The caller's key and address, or the refusal that needs no lookup at all: no key, or an address over its
 * failed-lookup budget whose key has not passed in `scope` recently (a flood from a shared address must not lock
 * out the clients that hold real keys; per scope, so a valid key of one workspace buys no unlimited probing).
 */
function identify(request: Request, scope: string): Caller | Refusal {
  const token = bearerToken(request);
  if (!token) return { ok: false, reason: "missing_key" };
  const keyHash = hashKey(token);
  const validKey = (s: string) => `${s}\0${keyHash}`;
  const address = clientAddress(request);
  const retryAfterSeconds = failedKeys.retryAfterSeconds(address);
  if (retryAfterSeconds > 0 && !recentlyValid.get(validKey(scope))) return { ok: false, reason: "too_many_failures", retryAfterSeconds };
  return { token, address, validKey };
}

/**
 * Whether `request` carries a key allowed to call `deploymentId` (also remembered as valid for `viaSplit`, the
 * split it came through). Throws only when the database does.
 */
export async function checkApiKey(request: Request, deploymentId: string, viaSplit?: string): Promise<KeyCheck> {
  const scope = `deployment:${deploymentId}`;
  const caller = identify(request, scope);
  if ("ok" in caller) return caller;
  const deployment = await findDeployment(deploymentId);
  if (!deployment) {
    failedKeys.recordFailure(caller.address);
    return { ok: false, reason: "unknown_deployment" };
  }
  let valid = keyChecks.get(caller.validKey(scope))?.value;
  if (valid === undefined) {
    valid = (await authenticateApiKey(deployment, caller.token)) !== null;
    keyChecks.set(caller.validKey(scope), valid);
  }
  if (!valid) {
    failedKeys.recordFailure(caller.address);
    return { ok: false, reason: "invalid_key" };
  }
  recentlyValid.set(caller.validKey(scope), true);
  if (viaSplit) recentlyValid.set(caller.validKey(`split:${viaSplit}`), true);
  return { ok: true };
}

/**
 * For the one route open without a key (the deployment URL's /health): whether the deployment or split that
 * `lookup` reads exists, with the address's failed-lookup budget applied as for keys (a made-up id is a failed
 * lookup, and an address over budget gets no lookup at all).
 */
export async function findOpenly(request: Request, lookup: () => Promise<unknown>, unknown: "unknown_deployment" | "unknown_split"): Promise<{ ok: true } | Refusal> {
  const address = clientAddress(request);
  const retryAfterSeconds = failedKeys.retryAfterSeconds(address);
  if (retryAfterSeconds > 0) return { ok: false, reason: "too_many_failures", retryAfterSeconds };
  if (await lookup()) return { ok: true };
  failedKeys.recordFailure(address);
  return { ok: false, reason: unknown };
}

/** The deployment row the key checks use (cached for a second). */
export const deploymentExists = async (deploymentId: string) => (await findDeployment(deploymentId)) !== null;

/**
 * The split named in the URL, looked up only for a caller with a key and budget left (a made-up split id is a
 * failed lookup too). The key itself is checked afterwards, against the variant's deployment.
 */
export async function findSplitFor<T>(request: Request, splitId: string, lookup: (id: string) => Promise<T | null>): Promise<{ ok: true; split: T } | Refusal> {
  const caller = identify(request, `split:${splitId}`);
  if ("ok" in caller) return caller;
  const split = await lookup(splitId);
  if (split) return { ok: true, split };
  failedKeys.recordFailure(caller.address);
  return { ok: false, reason: "unknown_split" };
}
