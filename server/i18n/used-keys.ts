import path from "node:path";
import ts from "typescript";

/**
 * Finds every next-intl message key the UI source asks for, so a test can check it against the
 * message files. A translator is `const t = useTranslations("ns")` or `await getTranslations("ns")`
 * (or `{ namespace: "ns" }`); a use is `t("key")`, `t.rich/markup/raw("key")`. Keys built from a
 * template (`t(\`status.${s}\`)`) or a variable are expanded with the type checker when the
 * dynamic part is a union of string literals; otherwise the template becomes a pattern of which
 * at least one key must match. A call guarded by `t.has(...)` is a fallback, not a requirement.
 */

export interface KeyUse {
  file: string;
  line: number;
  /** The full key with the namespace, e.g. "datasets.quality.title"; for a pattern, a RegExp source. */
  key: string;
  kind: "exact" | "pattern";
  /** raw() may return an object; the others must end on a string. */
  method: "call" | "rich" | "markup" | "raw";
  /** Inside the branch of a `t.has(...)` test: allowed to miss. */
  guarded: boolean;
}

const METHODS = new Set(["rich", "markup", "raw"]);

function namespaceOf(call: ts.CallExpression): string | undefined | null {
  const callee = call.expression;
  if (!ts.isIdentifier(callee) || (callee.text !== "useTranslations" && callee.text !== "getTranslations")) return null;
  const arg = call.arguments[0];
  if (!arg) return undefined;
  if (ts.isStringLiteralLike(arg)) return arg.text;
  if (ts.isObjectLiteralExpression(arg)) {
    for (const p of arg.properties) {
      if (ts.isPropertyAssignment(p) && p.name.getText() === "namespace" && ts.isStringLiteralLike(p.initializer)) return p.initializer.text;
    }
    return undefined;
  }
  return null;
}

/** The translator a declaration creates, if any: its namespace ("" for the root). */
function translatorNamespace(init: ts.Expression | undefined): string | null {
  if (!init) return null;
  const inner = ts.isAwaitExpression(init) ? init.expression : init;
  if (!ts.isCallExpression(inner)) return null;
  const ns = namespaceOf(inner);
  if (ns === null) return null;
  return ns ?? "";
}

function scopeOf(node: ts.Node): ts.Node {
  let n: ts.Node | undefined = node.parent;
  while (n && !ts.isFunctionLike(n) && !ts.isSourceFile(n)) n = n.parent;
  return n ?? node.getSourceFile();
}

/** The string values an expression can take, when the checker knows them all; else null. */
function literalValues(checker: ts.TypeChecker, expr: ts.Expression): string[] | null {
  const type = checker.getTypeAtLocation(expr);
  const parts = type.isUnion() ? type.types : [type];
  const values: string[] = [];
  for (const p of parts) {
    if (p.isStringLiteral()) values.push(p.value);
    else if (p.isNumberLiteral()) values.push(String(p.value));
    else return null;
  }
  return values;
}

/** Every string a template can produce (when each span is a literal union), else a regex source. */
function expandTemplate(checker: ts.TypeChecker, tpl: ts.TemplateExpression): { exact: string[] } | { pattern: string } {
  let exact: string[] | null = [tpl.head.text];
  let pattern = escape(tpl.head.text);
  for (const span of tpl.templateSpans) {
    const values = literalValues(checker, span.expression);
    if (exact && values && exact.length * values.length <= 500) exact = exact.flatMap((e) => values.map((v) => e + v + span.literal.text));
    else exact = null;
    pattern += "[^.]+" + escape(span.literal.text);
  }
  return exact ? { exact } : { pattern };
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Is `node` in a branch decided by `<translator>.has(...)` (an if, ?: or &&)? */
function guardedByHas(node: ts.Node, translator: string): boolean {
  for (let n: ts.Node | undefined = node.parent; n && !ts.isFunctionLike(n); n = n.parent) {
    const test = ts.isConditionalExpression(n) || ts.isIfStatement(n) ? (ts.isIfStatement(n) ? n.expression : n.condition)
      : ts.isBinaryExpression(n) && (n.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken || n.operatorToken.kind === ts.SyntaxKind.BarBarToken) ? n.left : null;
    if (test && test.getText().includes(`${translator}.has(`)) return true;
  }
  return false;
}

/** Key uses in the given files (absolute paths), type-checked with the project's compiler options. */
export function findKeyUses(files: string[], root: string): KeyUse[] {
  const config = ts.readConfigFile(path.join(root, "tsconfig.json"), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const program = ts.createProgram(files, { ...parsed.options, noEmit: true, incremental: false, tsBuildInfoFile: undefined });
  const checker = program.getTypeChecker();
  const uses: KeyUse[] = [];

  for (const file of files) {
    const source = program.getSourceFile(file);
    if (!source) continue;
    // name -> [scope node, namespace] for each translator declared in this file
    const translators = new Map<string, Array<{ scope: ts.Node; ns: string }>>();
    const collect = (node: ts.Node) => {
      if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name)) {
        const ns = translatorNamespace(node.initializer);
        if (ns !== null) {
          const list = translators.get(node.name.text) ?? [];
          list.push({ scope: scopeOf(node), ns });
          translators.set(node.name.text, list);
        }
      }
      ts.forEachChild(node, collect);
    };
    collect(source);
    if (!translators.size) continue;

    const resolve = (name: string, at: ts.Node): string | null => {
      const list = translators.get(name);
      if (!list) return null;
      for (let n: ts.Node | undefined = at; n; n = n.parent) {
        const hit = list.find((d) => d.scope === n);
        if (hit) return hit.ns;
      }
      return null;
    };

    const visit = (node: ts.Node) => {
      if (ts.isCallExpression(node)) {
        const callee = node.expression;
        let name: string | null = null;
        let method: KeyUse["method"] = "call";
        if (ts.isIdentifier(callee)) name = callee.text;
        else if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && METHODS.has(callee.name.text)) {
          name = callee.expression.text;
          method = callee.name.text as KeyUse["method"];
        }
        const ns = name ? resolve(name, node) : null;
        const arg = node.arguments[0];
        if (ns !== null && name && arg) {
          const prefix = ns ? `${ns}.` : "";
          const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
          const base = { file: path.relative(root, file), line, method, guarded: guardedByHas(node, name) };
          if (ts.isStringLiteralLike(arg)) uses.push({ ...base, key: prefix + arg.text, kind: "exact" });
          else if (ts.isTemplateExpression(arg)) {
            const expanded = expandTemplate(checker, arg);
            if ("exact" in expanded) for (const k of expanded.exact) uses.push({ ...base, key: prefix + k, kind: "exact" });
            else uses.push({ ...base, key: "^" + escape(prefix) + expanded.pattern + "$", kind: "pattern" });
          } else {
            const values = literalValues(checker, arg);
            if (values) for (const k of values) uses.push({ ...base, key: prefix + k, kind: "exact" });
            else uses.push({ ...base, key: "^" + escape(prefix) + ".+$", kind: "pattern" });
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return uses;
}
