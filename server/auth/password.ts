import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";
import bcrypt from "bcryptjs";
import { env } from "../env";

/**
 * Password hashes: scrypt through Node's async `crypto.scrypt`, which runs on libuv's thread
 * pool, so a burst of sign-ups never stalls the web process's event loop (bcryptjs did the
 * work in JavaScript on that loop: 40 sign-ups held an unrelated request for 10 s).
 *
 * Stored as `scrypt$N$r$p$salt$hash` (salt and hash base64url), so parameters can be raised
 * later and old hashes still verify. N=2^15, r=8, p=1 is about 32 MiB and 100–170 ms on one
 * core here (OWASP's minimum is N=2^17 with r=8 at p=1 or N=2^15 with p=3; we keep p=1 and
 * cap concurrency instead). Tests use N=2^10 so suites stay fast.
 * Hashes from before (bcrypt `$2a$`/`$2b$`) still verify, through bcryptjs's async API, and
 * are replaced by scrypt on the next successful sign-in (see credentials.ts).
 */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

export const SCRYPT_PARAMS: ScryptParams = env.NODE_ENV === "test" ? { N: 2 ** 10, r: 8, p: 1 } : { N: 2 ** 15, r: 8, p: 1 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;

/**
 * Hashes in flight at once. libuv's pool has 4 threads by default and also serves file and
 * DNS work; keeping half of it free means a sign-up flood queues here instead of delaying
 * uploads and downloads. Also bounds memory: each hash holds 128·N·r bytes (32 MiB).
 */
const MAX_CONCURRENT_HASHES = 2;

/** Key derivations so far; tests read it to check that unknown emails cost a hash too. */
export const hashingStats = { derivations: 0 };

let running = 0;
const waiting: (() => void)[] = [];

async function withHashSlot<T>(work: () => Promise<T>): Promise<T> {
  if (running < MAX_CONCURRENT_HASHES) running++;
  else await new Promise<void>((resolve) => waiting.push(resolve)); // the finishing hash hands its slot over
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

function deriveKey(plain: string, salt: Buffer, params: ScryptParams, keyBytes: number): Promise<Buffer> {
  hashingStats.derivations++;
  // maxmem: twice what the parameters need, since Node refuses at (about) exactly 128·N·r.
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r };
  return withHashSlot(
    () => new Promise<Buffer>((resolve, reject) => scrypt(plain.normalize("NFKC"), salt, keyBytes, options, (error, key) => (error ? reject(error) : resolve(key)))),
  );
}

export async function hashPassword(plain: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await deriveKey(plain, salt, SCRYPT_PARAMS, KEY_BYTES);
  const { N, r, p } = SCRYPT_PARAMS;
  return ["scrypt", N, r, p, salt.toString("base64url"), key.toString("base64url")].join("$");
}

interface ParsedScrypt {
  params: ScryptParams;
  salt: Buffer;
  key: Buffer;
}

function parseScrypt(hash: string): ParsedScrypt | null {
  const parts = hash.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return null;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (!Number.isSafeInteger(N) || !Number.isSafeInteger(r) || !Number.isSafeInteger(p)) return null;
  // Parameters come from our own column, but a tampered row must not make us allocate gigabytes.
  if (N! < 2 || N! > 2 ** 20 || r! < 1 || r! > 32 || p! < 1 || p! > 16) return null;
  const salt = Buffer.from(parts[4]!, "base64url");
  const key = Buffer.from(parts[5]!, "base64url");
  if (salt.length === 0 || key.length < 16) return null;
  return { params: { N: N!, r: r!, p: p! }, salt, key };
}

function isLegacyBcrypt(hash: string): boolean {
  return /^\$2[aby]\$\d{2}\$/.test(hash);
}

export async function verifyPassword(plain: string, hash: string): Promise<boolean> {
  const parsed = parseScrypt(hash);
  if (parsed) {
    const key = await deriveKey(plain, parsed.salt, parsed.params, parsed.key.length);
    return timingSafeEqual(key, parsed.key);
  }
  if (isLegacyBcrypt(hash)) return bcrypt.compare(plain, hash);
  return false;
}

/** True when a hash that just verified should be rewritten with the current scheme and parameters. */
export function needsRehash(hash: string): boolean {
  const parsed = parseScrypt(hash);
  if (!parsed) return true;
  const { N, r, p } = parsed.params;
  return N !== SCRYPT_PARAMS.N || r !== SCRYPT_PARAMS.r || p !== SCRYPT_PARAMS.p;
}

let dummyHash: Promise<string> | null = null;

/**
 * Spends what checking a real password costs, for sign-ins of unknown emails (and accounts
 * without a password): otherwise answering in 20 ms instead of 150 ms tells that the email
 * has no account.
 */
export async function verifyAgainstDummy(plain: string): Promise<false> {
  dummyHash ??= hashPassword(randomBytes(16).toString("hex"));
  await verifyPassword(plain, await dummyHash);
  return false;
}
