import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { createRedisKeys, keyTemplate, requestKeyTemplates, storePrefix } from '../../src/keys';
import type { KeyTemplate } from '../../src/keys';

/**
 * Every Redis key name is composed in src/keys.ts (issue 14): Lua gets names as KEYS, or as
 * templates keys.ts made (ARGV), never builds one from a prefix and a segment of its own; nor does
 * any other TypeScript module. These tests read the sources, so a script that starts concatenating
 * `prefix .. 'req:' .. id` again fails here, not in a Redis Cluster.
 */

const SRC = join(__dirname, '..', '..', 'src');
const KEYS_MODULE = join(SRC, 'keys.ts');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

function parse(path: string): ts.SourceFile {
  return ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
}

function visit(node: ts.Node, found: (node: ts.Node) => void): void {
  found(node);
  node.forEachChild((child) => visit(child, found));
}

interface LuaSource {
  readonly where: string;
  readonly text: string;
}

const LUA_MARK = /redis\.p?call\s*\(|\bKEYS\[|\bARGV\[/;

/** The text of every string or template in src/ that is Lua (`${...}` parts left out). */
function luaSources(): LuaSource[] {
  const sources: LuaSource[] = [];
  for (const path of sourceFiles(SRC)) {
    const file = parse(path);
    visit(file, (node) => {
      let text: string | undefined;
      if (ts.isNoSubstitutionTemplateLiteral(node) || ts.isStringLiteral(node)) text = node.text;
      if (ts.isTemplateExpression(node))
        text = [node.head.text, ...node.templateSpans.map((span) => span.literal.text)].join('\n');
      if (text === undefined || !LUA_MARK.test(text)) return;
      const line = file.getLineAndCharacterOfPosition(node.getStart()).line + 1;
      sources.push({ where: `${relative(SRC, path)}:${line}`, text });
    });
  }
  return sources;
}

/** The constant segments of keys.ts' names (`req`, `spec`, `obj`, `due`...), found by calling it. */
function keySegments(): string[] {
  // thaw's own keys are under the hash tag `{PFX}` (keys.ts).
  const prefix = storePrefix('PFX');
  const hole = 'HOLE';
  const keys = createRedisKeys('PFX') as unknown as Record<string, unknown>;
  const segments = new Set<string>();
  for (const [name, value] of Object.entries(keys)) {
    if (name === 'prefix') continue;
    const key =
      typeof value === 'function'
        ? (value as (...parts: string[]) => string)(...Array<string>(value.length).fill(hole))
        : String(value);
    expect(key.startsWith(`${prefix}:`)).toBe(true);
    for (const segment of key.slice(prefix.length + 1).split(':')) {
      // objectIndex(bucket, key) hashes its parts: a digest, not a constant.
      if (segment !== hole && !/^[0-9a-f]{16,}$/.test(segment)) segments.add(segment);
    }
  }
  return [...segments];
}

function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** What in one Lua text builds a key name: each finding says what. */
function keyNamesBuiltIn(lua: string, segments: readonly string[]): string[] {
  const code = lua.replace(/--[^\n]*/g, '');
  const findings: string[] = [];
  const literals = [...code.matchAll(/'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"/g)];
  for (const segment of segments) {
    const s = escaped(segment);
    // A piece of a key name: `'req:'`, `':spec'`, `':ev'`... (hash fields such as `n:` are no segment).
    const piece = new RegExp(`(^|:)${s}:|:${s}$`);
    // A whole-key segment glued to something: `prefix .. 'due'`, `'outbox' .. x`.
    const glued = new RegExp(`\\.\\.\\s*(['"])${s}\\1|(['"])${s}\\2\\s*\\.\\.`);
    for (const literal of literals) {
      const text = literal[1] ?? literal[2] ?? '';
      if (piece.test(text)) findings.push(`literal '${text}' names key segment '${segment}'`);
    }
    if (glued.test(code)) findings.push(`segment '${segment}' concatenated`);
  }
  const outsideStrings = code.replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"/g, "''");
  if (/\bprefix\b/.test(outsideStrings)) findings.push('uses a prefix');
  return findings;
}

describe('key names are composed in keys.ts only', () => {
  const segments = keySegments();
  const sources = luaSources();

  it('knows the segments of the key layout', () => {
    expect(segments).toEqual(
      expect.arrayContaining(['req', 'spec', 'ev', 'obj', 'early', 'due', 'remind', 'outbox', 'idem']),
    );
    expect(segments).toEqual(expect.arrayContaining(['suppressed', 'dl', 'page']));
  });

  it('finds the Lua of every module that runs scripts', () => {
    const files = new Set(sources.map((source) => source.where.replace(/:\d+$/, '')));
    for (const file of [
      'correlate/lua/prelude.ts',
      'correlate/lua/scripts.ts',
      'correlate/idempotency-records.ts',
      'notify/download-links.ts',
      'notify/notification-state.ts',
    ]) {
      expect(files).toContain(file);
    }
    expect(sources.length).toBeGreaterThanOrEqual(15);
  });

  it('catches the ways key names were built in Lua before', () => {
    for (const bad of [
      "local reqKey = prefix .. 'req:' .. id",
      "local spec = ARGV[1] .. 'req:' .. ARGV[2] .. ':spec'",
      "redis.call('ZREM', ARGV[1] .. 'outbox', member)",
      "local index = ctx.prefix .. 'obj:' .. object.d",
      'redis.call(\'LRANGE\', p .. "early:" .. d, 0, -1)',
      "redis.call('SET', ARGV[2] .. ':page:' .. token, 1)",
    ]) {
      expect(keyNamesBuiltIn(bad, segments)).not.toEqual([]);
    }
    // Hash fields and members are not key names.
    for (const fine of [
      "redis.call('HSETNX', KEYS[1], 'n:' .. kind, '{\"s\":\"pending\"}')",
      "redis.call('HGET', KEYS[1], 'remind')",
      "redis.call('HSETNX', KEYS[1], 'e:' .. ev.id .. ':' .. i, 1)",
      "-- the object index '<p>:obj:<digest>' comes from keys.ts",
    ]) {
      expect(keyNamesBuiltIn(fine, segments)).toEqual([]);
    }
  });

  it('no Lua in src/ builds a key name', () => {
    const offenders = sources.flatMap((source) =>
      keyNamesBuiltIn(source.text, segments).map((finding) => `${source.where}: ${finding}`),
    );
    expect(offenders).toEqual([]);
  });

  it('no TypeScript outside keys.ts glues a segment to a prefix', () => {
    const offenders: string[] = [];
    // `:req:`, `:page:`... right after a prefix; `${prefix}:*` (a SCAN pattern) names no key.
    const segmentAfter = new RegExp(`^:(${segments.map(escaped).join('|')})(:|$)`);
    const isPrefix = (node: ts.Node): boolean =>
      (ts.isIdentifier(node) && node.text === 'prefix') ||
      (ts.isPropertyAccessExpression(node) && node.name.text === 'prefix');
    for (const path of sourceFiles(SRC)) {
      if (path === KEYS_MODULE) continue;
      const file = parse(path);
      visit(file, (node) => {
        const where = `${relative(SRC, path)}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
        if (ts.isTemplateExpression(node)) {
          node.templateSpans.forEach((span) => {
            if (isPrefix(span.expression) && segmentAfter.test(span.literal.text)) offenders.push(where);
          });
        }
        if (
          ts.isBinaryExpression(node) &&
          node.operatorToken.kind === ts.SyntaxKind.PlusToken &&
          (isPrefix(node.left) || isPrefix(node.right))
        ) {
          const other = isPrefix(node.left) ? node.right : node.left;
          if (ts.isStringLiteralLike(other) && segmentAfter.test(other.text)) offenders.push(where);
        }
      });
    }
    expect(offenders).toEqual([]);
  });
});

describe('key templates', () => {
  const fill = (template: KeyTemplate, part: string): string => `${template[0]}${part}${template[1]}`;

  it.each(['thaw', '{thaw}', 'tests:thaw'])('name what keys.ts names, under prefix %s', (prefix) => {
    const keys = createRedisKeys(prefix);
    const templates = requestKeyTemplates(keys);
    const id = 'r_AbC-12_xyz';
    expect(fill(templates.request, id)).toBe(keys.request(id));
    expect(fill(templates.spec, id)).toBe(keys.requestSpec(id));
    expect(fill(templates.events, id)).toBe(keys.requestEvents(id));
    expect(fill(templates.objectIndex, 'abc123')).toBe(keys.objectIndexByDigest('abc123'));
    expect(fill(keyTemplate(keys.pageToken), 'tok')).toBe(keys.pageToken('tok'));
  });

  it('keep the key layout (under the hash tag of the prefix)', () => {
    const templates = requestKeyTemplates(createRedisKeys('thaw'));
    expect(templates).toEqual({
      request: ['{thaw}:req:', ''],
      spec: ['{thaw}:req:', ':spec'],
      events: ['{thaw}:req:', ':ev'],
      objectIndex: ['{thaw}:obj:', ''],
    });
  });

  it('refuse a name without exactly one run-time part', () => {
    expect(() => keyTemplate(() => 'thaw:due')).toThrow();
    expect(() => keyTemplate((part) => `thaw:${part}:${part}`)).toThrow();
  });
});
