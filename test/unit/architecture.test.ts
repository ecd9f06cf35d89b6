import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * The layer order of docs/ARCHITECTURE.md, lowest first. A file may import from its own folder and
 * from any folder of a lower layer. An import that runs up the order fails; so does one sideways
 * between two folders of the same layer, except in the foundation layer, whose folders lean on
 * each other (keys.ts hashes with domain/object-ref.ts, domain/ throws errors.ts's ThawError).
 *
 * A "folder" is the first path segment under src/; top-level files count as folders of their own
 * name (`errors.ts` is `errors`, `main.ts` is `main`).
 */
const LAYERS: readonly (readonly string[])[] = [
  /* 0 foundation   */ ['domain', 'errors', 'keys', 'timeout', 'types'],
  /* 1 basics       */ ['logger', 'config'],
  /* 2 infra        */ ['observability', 'shutdown', 'redis'],
  /* 3 adapters     */ ['restore'],
  /* 4 ingest       */ ['ingest'],
  /* 5 queue        */ ['queue'],
  /* 6 correlate    */ ['correlate'],
  /* 7 registration */ ['register'],
  /* 8 templating   */ ['templating'],
  /* 9 delivery     */ ['notify', 'pages'],
  /* 10 http        */ ['http'],
  /* 11 wiring      */ ['composition', 'setup', 'simulate', 'upgrade'],
  /* 12 entry       */ ['main'],
  /* 13 tools       */ ['cli', 'demo'],
];

/** Layers whose folders may import each other. */
const SIDEWAYS_ALLOWED = new Set([0]);

/**
 * Imports that break the order today, each with its reason. Remove an entry when its import goes;
 * the test fails on entries that no longer match anything, so this list cannot go stale.
 */
const KNOWN_EXCEPTIONS: readonly { from: string; to: string; why: string }[] = [];

const SRC = resolve(__dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Relative specifiers of `import … from`, `export … from`, `import '…'`, `import('…')`, `require('…')`. */
function relativeImports(text: string): string[] {
  const patterns = [
    /\bfrom\s+['"](\.[^'"]*)['"]/g,
    /\bimport\s+['"](\.[^'"]*)['"]/g,
    /\bimport\s*\(\s*['"](\.[^'"]*)['"]\s*\)/g,
    /\brequire\s*\(\s*['"](\.[^'"]*)['"]\s*\)/g,
  ];
  return patterns.flatMap((pattern) => [...text.matchAll(pattern)].map((match) => match[1] ?? ''));
}

/** `src/`-relative path with forward slashes, `.ts` added when the specifier has no extension. */
function srcPath(absolute: string): string {
  const path = relative(SRC, absolute).split(sep).join('/');
  return /\.(ts|js|json)$/.test(path) ? path : `${path}.ts`;
}

function folderOf(path: string): string {
  const first = path.split('/')[0] ?? '';
  return path.includes('/') ? first : first.replace(/\.(d\.)?ts$/, '');
}

const RANK = new Map<string, number>(
  LAYERS.flatMap((folders, rank) => folders.map((f) => [f, rank] as const)),
);

interface Edge {
  from: string;
  to: string;
}

/** Imports between files of src/ (`main.ts` reading `../package.json` is outside the layers). */
const edges: Edge[] = sourceFiles(SRC).flatMap((file) =>
  relativeImports(readFileSync(file, 'utf8'))
    .map((specifier) => ({ from: srcPath(file), to: srcPath(resolve(dirname(file), specifier)) }))
    .filter((edge) => !edge.to.startsWith('../')),
);

function isException(edge: Edge): boolean {
  return KNOWN_EXCEPTIONS.some((e) => e.from === edge.from && e.to === edge.to);
}

describe('layers (docs/ARCHITECTURE.md)', () => {
  it('finds the source files and their imports', () => {
    expect(edges.length).toBeGreaterThan(100);
  });

  it('places every folder of src/ in a layer', () => {
    const folders = [...new Set(edges.flatMap((edge) => [folderOf(edge.from), folderOf(edge.to)]))];
    expect(folders.filter((folder) => !RANK.has(folder)).sort()).toEqual([]);
  });

  it('imports only down the layer order, never sideways', () => {
    const wrong = edges
      .filter((edge) => !isException(edge))
      .filter((edge) => {
        const from = folderOf(edge.from);
        const to = folderOf(edge.to);
        if (from === to) return false;
        const fromRank = RANK.get(from) ?? -1;
        const toRank = RANK.get(to) ?? Number.POSITIVE_INFINITY;
        if (toRank < fromRank) return false;
        return !(toRank === fromRank && SIDEWAYS_ALLOWED.has(fromRank));
      })
      .map((edge) => `${edge.from} -> ${edge.to}`);
    expect([...new Set(wrong)].sort()).toEqual([]);
  });

  it('lists only exceptions that still exist', () => {
    const stale = KNOWN_EXCEPTIONS.filter(
      (e) => !edges.some((edge) => edge.from === e.from && edge.to === e.to),
    );
    expect(stale).toEqual([]);
  });
});
