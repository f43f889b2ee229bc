import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { auth } from "../auth";
import { requireWorkspaceRole } from "../auth/workspace-access";
import { db } from "../db";
import { AppError } from "../lib/app-error";
import { modelCard } from "../services/experiments/model-card";
import { resolveArtifact } from "../storage/artifacts";

const STATUS: Record<AppError["code"], number> = {
  BAD_REQUEST: 400, UNAUTHORIZED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409, TOO_MANY_REQUESTS: 429,
};

/** One ustar header block (names up to 255 bytes through the prefix field). */
function tarHeader(name: string, size: number, mtime: number): Buffer {
  const h = Buffer.alloc(512);
  let prefix = "";
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf("/", 154);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
  }
  h.write(base, 0, 100);
  h.write("0000644\0", 100);
  h.write("0000000\0", 108);
  h.write("0000000\0", 116);
  h.write(size.toString(8).padStart(11, "0") + "\0", 124);
  h.write(Math.floor(mtime / 1000).toString(8).padStart(11, "0") + "\0", 136);
  h.write("        ", 148);
  h.write("0", 156);
  h.write("ustar\0", 257);
  h.write("00", 263);
  h.write(prefix, 345, 155);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
  return h;
}

async function* walk(dir: string, rel = ""): AsyncGenerator<{ abs: string; rel: string }> {
  for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name.startsWith(".tmp")) continue;
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) yield* walk(abs, `${rel}${e.name}/`);
    else if (e.isFile()) yield { abs, rel: `${rel}${e.name}` };
  }
}

/** The checkpoint folder (Hugging Face layout) plus README.md (the model card) as one uncompressed tar. */
async function* tarStream(dir: string, root: string, readme: string): AsyncGenerator<Buffer> {
  const card = Buffer.from(readme);
  yield tarHeader(`${root}/README.md`, card.length, Date.now());
  yield card;
  if (card.length % 512) yield Buffer.alloc(512 - (card.length % 512));
  for await (const f of walk(dir)) {
    const s = await stat(f.abs);
    yield tarHeader(`${root}/${f.rel}`, s.size, s.mtimeMs);
    for await (const chunk of createReadStream(f.abs)) yield chunk as Buffer;
    if (s.size % 512) yield Buffer.alloc(512 - (s.size % 512));
  }
  yield Buffer.alloc(1024);
}

async function authorise(request: Request, checkpointId: string) {
  const session = await auth();
  if (!session?.user?.id) throw new AppError("UNAUTHORIZED", "Sign in first.");
  const workspaceId = new URL(request.url).searchParams.get("workspaceId") ?? "";
  await requireWorkspaceRole(session.user.id, { id: workspaceId }, "VIEWER");
  const ckpt = await db.checkpoint.findFirst({ where: { id: checkpointId, workspaceId } });
  if (!ckpt) throw new AppError("NOT_FOUND", "Checkpoint not found.");
  return { workspaceId, ckpt };
}

function failure(error: unknown): Response {
  if (error instanceof AppError) return Response.json({ error: error.message }, { status: STATUS[error.code] });
  console.error("checkpoint download failed:", (error as Error).message);
  return Response.json({ error: "Download failed" }, { status: 500 });
}

/** GET /api/models/<checkpointId>/download?workspaceId=… — members (viewer and up) only. */
export async function handleCheckpointDownload(request: Request, checkpointId: string): Promise<Response> {
  try {
    const { workspaceId, ckpt } = await authorise(request, checkpointId);
    const card = await modelCard({ workspaceId, checkpointId });
    const name = `${(card.run?.name ?? "model").replace(/[^\w.-]+/g, "-")}-step-${ckpt.step}`;
    const stream = Readable.toWeb(Readable.from(tarStream(resolveArtifact(ckpt.dir), name, card.markdown))) as ReadableStream;
    return new Response(stream, { headers: { "content-type": "application/x-tar", "content-disposition": `attachment; filename="${name}.tar"` } });
  } catch (error) {
    return failure(error);
  }
}

/** GET /api/models/<checkpointId>/card?workspaceId=… — the generated model card as Markdown. */
export async function handleModelCard(request: Request, checkpointId: string): Promise<Response> {
  try {
    const { workspaceId } = await authorise(request, checkpointId);
    const card = await modelCard({ workspaceId, checkpointId });
    return new Response(card.markdown, { headers: { "content-type": "text/markdown; charset=utf-8" } });
  } catch (error) {
    return failure(error);
  }
}
