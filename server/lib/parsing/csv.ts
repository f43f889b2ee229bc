/**
 * Incremental CSV/TSV record parser fed one physical line at a time (RFC 4180 quoting):
 * - a field that starts with `"` is quoted: `""` is a literal quote, and delimiters and line breaks inside it are
 *   data (a line break inside quotes is kept as "\n", whatever the file used);
 * - a `"` inside an unquoted field is kept literally (as Python's csv module and spreadsheets do);
 * - text between a closing quote and the next delimiter is an error for that record ("unexpected text after closing
 *   quote"); the parser still finds the record's end, so later records are unaffected;
 * - a record may not exceed `maxRecordChars` (an unterminated quote would otherwise swallow the whole file).
 */
export interface CsvRecord {
  /** Line on which the record starts. */
  line: number;
  fields: string[];
  /** Set when the record is malformed; `fields` must then not be used. */
  error?: string;
}

export class CsvRecordParser {
  private fields: string[] = [];
  private field = "";
  private inQuotes = false;
  private afterQuote = false;
  private startLine = 0;
  private chars = 0;
  private error: string | undefined;

  constructor(
    private readonly delimiter: string,
    private readonly maxRecordChars: number,
  ) {}

  /** True while a quoted field is open across lines. */
  get pending(): boolean {
    return this.inQuotes;
  }

  get pendingSince(): number {
    return this.startLine;
  }

  /** Feeds one line (without its line break). Returns a record when the line completes one. */
  push(text: string, line: number): CsvRecord | null {
    if (!this.inQuotes) {
      this.startLine = line;
      this.fields = [];
      this.field = "";
      this.afterQuote = false;
      this.chars = 0;
      this.error = undefined;
      if (!text.includes('"')) return { line, fields: text.split(this.delimiter) };
    } else {
      this.field += "\n";
    }
    this.chars += text.length + 1;
    if (this.chars > this.maxRecordChars) {
      this.inQuotes = false;
      return {
        line: this.startLine,
        fields: [],
        error: `record is longer than the limit of ${this.maxRecordChars} characters (unterminated quoted field?)`,
      };
    }
    const d = this.delimiter;
    let i = 0;
    const n = text.length;
    while (i < n) {
      const ch = text[i]!;
      if (this.inQuotes) {
        if (ch === '"') {
          if (text[i + 1] === '"') {
            this.field += '"';
            i += 2;
            continue;
          }
          this.inQuotes = false;
          this.afterQuote = true;
          i++;
          continue;
        }
        const q = text.indexOf('"', i);
        const stop = q < 0 ? n : q;
        this.field += text.slice(i, stop);
        i = stop;
        continue;
      }
      if (ch === d) {
        this.fields.push(this.field);
        this.field = "";
        this.afterQuote = false;
        i++;
        continue;
      }
      if (this.afterQuote) {
        this.error ??= "unexpected text after a closing quote (quotes inside a quoted field must be doubled)";
        this.field += ch;
        i++;
        continue;
      }
      if (ch === '"' && this.field === "") {
        this.inQuotes = true;
        i++;
        continue;
      }
      this.field += ch;
      i++;
    }
    if (this.inQuotes) return null;
    this.fields.push(this.field);
    const rec: CsvRecord = { line: this.startLine, fields: this.fields };
    if (this.error) rec.error = this.error;
    return rec;
  }
}
