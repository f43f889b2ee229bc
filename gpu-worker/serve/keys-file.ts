import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";

/**
 * API keys for the standalone server: a file with one sha256 hex digest of a key per line (`#` comments and
 * blank lines ignored). The file is re-read when its mtime or size changes, so revoking a key is deleting its
 * line, no restart. The key id reported to logs is the first 12 hex digits of the digest.
 */
export function sha256Hex(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

export function parseKeysFile(text: string, file = "keys file"): Set<string> {
  const out = new Set<string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    if (!/^[0-9a-fA-F]{64}$/.test(line)) throw new Error(`${file}:${i + 1}: expected a sha256 hex digest (64 hex digits)`);
    out.add(line.toLowerCase());
  });
  return out;
}

export function keysFileAuthenticator(file: string): (token: string) => Promise<{ keyId: string } | null> {
  let stamp = "";
  let keys = new Set<string>();
  const refresh = () => {
    const st = statSync(file);
    const s = `${st.mtimeMs}:${st.size}`;
    if (s !== stamp) {
      keys = parseKeysFile(readFileSync(file, "utf8"), file);
      stamp = s;
    }
  };
  refresh(); // fail at start-up on a bad file
  return async (token) => {
    try {
      refresh();
    } catch {
      // keep the last good set if the file is being rewritten
    }
    const digest = sha256Hex(token);
    return keys.has(digest) ? { keyId: digest.slice(0, 12) } : null;
  };
}
