import { readFileSync } from "node:fs";
import { Tokenizer } from "@huggingface/tokenizers";
import { ModelFolderError } from "./errors";

/**
 * XLM-R tokenizer from a tokenizer.json (pure JS, @huggingface/tokenizers). Adds `<s> … </s>`; truncation
 * keeps the first maxLength − 1 ids and ends with `</s>` (what HF truncation does for one sequence) and is
 * reported, never silent.
 */
export interface Tokenized {
  ids: number[];
  /** Length before truncation (special tokens included). */
  fullLength: number;
  truncated: boolean;
}

export class M3Tokenizer {
  readonly clsId: number;
  readonly padId: number;
  readonly eosId: number;
  readonly unkId: number;
  /** Ids dropped from sparse weights (FlagEmbedding: cls, eos, pad, unk). */
  readonly specialIds: Set<number>;

  private constructor(private readonly tok: Tokenizer) {
    const id = (t: string, dflt: number) => tok.token_to_id(t) ?? dflt;
    this.clsId = id("<s>", 0);
    this.padId = id("<pad>", 1);
    this.eosId = id("</s>", 2);
    this.unkId = id("<unk>", 3);
    this.specialIds = new Set([this.clsId, this.padId, this.eosId, this.unkId]);
  }

  static fromFiles(tokenizerJson: string, tokenizerConfig?: string | null): M3Tokenizer {
    let json: unknown;
    let config: unknown = {};
    try {
      json = JSON.parse(readFileSync(tokenizerJson, "utf8"));
    } catch (e) {
      throw new ModelFolderError(`cannot read tokenizer ${tokenizerJson}: ${(e as Error).message}`, tokenizerJson);
    }
    if (tokenizerConfig) {
      try {
        config = JSON.parse(readFileSync(tokenizerConfig, "utf8"));
      } catch (e) {
        throw new ModelFolderError(`cannot read ${tokenizerConfig}: ${(e as Error).message}`, tokenizerConfig);
      }
    }
    // The JSON's own truncation/padding settings are ignored: we truncate explicitly and pad per batch.
    const j = json as Record<string, unknown>;
    j.truncation = null;
    j.padding = null;
    return new M3Tokenizer(new Tokenizer(j, config as object));
  }

  encode(text: string, maxLength: number): Tokenized {
    let ids = this.tok.encode(text).ids;
    if (ids[0] !== this.clsId) ids = [this.clsId, ...ids, this.eosId]; // tokenizer.json without a post-processor
    const fullLength = ids.length;
    if (fullLength <= maxLength) return { ids, fullLength, truncated: false };
    const cut = ids.slice(0, Math.max(1, maxLength - 1));
    cut.push(this.eosId);
    return { ids: cut, fullLength, truncated: true };
  }

  decode(ids: number[]): string {
    return this.tok.decode(ids, { skip_special_tokens: true });
  }
}
