import type Handlebars from 'handlebars';
import { TemplateError } from './template-error';

/** One template file as read: where it came from, for messages, and its text. */
export interface SourceFile {
  readonly file: string;
  readonly source: string;
}

/** Helpers and partials a template may call: what its locale's environment registers. */
export interface Known {
  readonly helpers: ReadonlySet<string>;
  readonly partials: ReadonlySet<string>;
}

/** Parses, checks and compiles one file now, so its mistakes stop start-up; throws TemplateError. */
export function compile(
  env: typeof Handlebars,
  { file, source }: SourceFile,
  noEscape: boolean,
  known: Known,
): HandlebarsTemplateDelegate {
  const options = { strict: false, noEscape };
  try {
    const ast = env.parse(source);
    checkReferences(ast, known);
    // compile() is lazy: precompile runs the whole compiler now, so its errors surface at load.
    env.precompile(ast, options);
    return env.compile(ast, options);
  } catch (thrown) {
    const error = thrown instanceof Error ? thrown : new Error(String(thrown));
    const line = (error as { lineNumber?: unknown }).lineNumber ?? /on line (\d+)/.exec(error.message)?.[1];
    const where = line === undefined ? file : `${file} line ${String(line)}`;
    throw new TemplateError(`Template ${where}: ${error.message}`, error);
  }
}

interface AstNode {
  readonly type: string;
  readonly loc?: { readonly start: { readonly line: number } };
  readonly [field: string]: unknown;
}

/** Finds helper calls and partials that cannot resolve at render time (Handlebars says so only then). */
function checkReferences(ast: hbs.AST.Program, known: Known): void {
  const inline = new Set<string>();
  const problems: Array<{ line: number; message: string }> = [];
  const partialCalls: Array<{ line: number; name: string }> = [];
  walk(ast as unknown as AstNode, (node) => {
    const line = node.loc?.start.line ?? 0;
    const path = node.path as { type?: string; original?: unknown; data?: boolean } | undefined;
    const params = node.params as unknown[] | undefined;
    if (node.type === 'DecoratorBlock' && path?.original === 'inline') {
      const [name] = params ?? [];
      if (isNode(name) && name.type === 'StringLiteral') inline.add(String(name.value));
    } else if (
      node.type === 'MustacheStatement' ||
      node.type === 'BlockStatement' ||
      node.type === 'SubExpression'
    ) {
      const isCall = (params?.length ?? 0) > 0 || node.hash !== undefined;
      const name = path?.original;
      if (isCall && path?.type === 'PathExpression' && !path.data && !known.helpers.has(String(name))) {
        problems.push({ line, message: `unknown helper "${String(name)}"` });
      }
    } else if (node.type === 'PartialStatement') {
      const name = node.name as { type?: string; original?: unknown; value?: unknown };
      const text =
        name.type === 'PathExpression' ? name.original : name.type === 'StringLiteral' ? name.value : null;
      if (typeof text === 'string' && !text.startsWith('@')) partialCalls.push({ line, name: text });
    }
  });
  for (const call of partialCalls) {
    if (!known.partials.has(call.name) && !inline.has(call.name)) {
      problems.push({ line: call.line, message: `unknown partial "${call.name}"` });
    }
  }
  const first = problems.sort((a, b) => a.line - b.line)[0];
  if (first !== undefined) {
    throw Object.assign(new Error(`${first.message} (line ${first.line})`), { lineNumber: first.line });
  }
}

function isNode(value: unknown): value is AstNode {
  return typeof (value as { type?: unknown } | null)?.type === 'string';
}

function walk(node: AstNode, visit: (node: AstNode) => void): void {
  visit(node);
  for (const [field, value] of Object.entries(node)) {
    if (field === 'loc') continue;
    for (const child of Array.isArray(value) ? value : [value]) if (isNode(child)) walk(child, visit);
  }
}
