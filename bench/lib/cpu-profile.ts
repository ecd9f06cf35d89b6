import { readFileSync } from 'node:fs';
import { ROOT } from './children';

/** The parts of V8's .cpuprofile format (written by `node --cpu-prof`) this summary reads. */
interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
    readonly children?: readonly number[];
  }[];
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/**
 * A stretch of time to keep, from `process.hrtime.bigint()` in the bench. V8 stamps samples with
 * the same monotonic clock (µs), so the startup of the profiled process can be left out.
 */
export interface ProfileWindow {
  readonly from: bigint;
  readonly to: bigint;
}

const NOT_WORK = new Set(['(idle)', '(program)']);
const THAW_DIST = `${ROOT}/dist/`;

/**
 * Where a process spent its CPU: self time by area (thaw's own code by folder, each npm package,
 * Node internals, GC) and the functions with the most self time and, among thaw's own, the most
 * inclusive time (callees included). Idle time is left out of every share.
 */
export function summariseProfile(
  file: string,
  title: string,
  windows: readonly ProfileWindow[] = [],
  top = 12,
): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const ranges = windows.map((window) => [Number(window.from / 1000n), Number(window.to / 1000n)] as const);
  const selfTimes = (inWindow: (micros: number) => boolean) => {
    const times = new Map<number, number>();
    let at = profile.startTime;
    profile.samples.forEach((id, index) => {
      const delta = profile.timeDeltas[index] ?? 0;
      at += delta;
      if (inWindow(at)) times.set(id, (times.get(id) ?? 0) + delta);
    });
    return times;
  };
  let self = selfTimes((micros) => ranges.some(([from, to]) => micros >= from && micros <= to));
  const windowed = self.size > 0;
  if (!windowed) self = selfTimes(() => true);

  const areaSelf = new Map<string, number>();
  const functionSelf = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  for (const [id, micros] of self) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    if (NOT_WORK.has(frame.functionName)) {
      idle += micros;
      continue;
    }
    busy += micros;
    const area = areaOf(frame.url, frame.functionName);
    areaSelf.set(area, (areaSelf.get(area) ?? 0) + micros);
    const name = functionLabel(frame);
    functionSelf.set(name, (functionSelf.get(name) ?? 0) + micros);
  }

  // Inclusive time of thaw's own functions: a node's total counts once per call path, even when
  // the function recurses (the same label further up the stack is not counted again).
  const inclusive = new Map<string, number>();
  const totals = new Map<number, number>();
  const total = (id: number): number => {
    const known = totals.get(id);
    if (known !== undefined) return known;
    const children = byId.get(id)?.children ?? [];
    const value = (self.get(id) ?? 0) + children.reduce((sum, child) => sum + total(child), 0);
    totals.set(id, value);
    return value;
  };
  const walk = (id: number, onStack: Set<string>) => {
    const node = byId.get(id);
    if (!node) return;
    const label = functionLabel(node.callFrame);
    const own = node.callFrame.url.includes(THAW_DIST) && !onStack.has(label);
    if (own) inclusive.set(label, (inclusive.get(label) ?? 0) + total(id));
    const next = own ? new Set(onStack).add(label) : onStack;
    for (const child of node.children ?? []) walk(child, next);
  };
  const root = profile.nodes[0];
  if (root) walk(root.id, new Set());

  const share = (micros: number) => `${((100 * micros) / Math.max(busy, 1)).toFixed(1).padStart(5)}%`;
  const list = (entries: Map<string, number>, count: number) =>
    [...entries]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, micros]) => `    ${share(micros)}  ${name}`);
  return [
    `${title}: ${(busy / 1e6).toFixed(1)} s of CPU, ${(idle / 1e6).toFixed(1)} s idle, ` +
      `${windowed ? 'measured stretches only' : 'whole process life'} (${file})`,
    '  self time by area:',
    ...list(areaSelf, 14),
    '  functions by self time:',
    ...list(functionSelf, top),
    "  thaw's own functions by inclusive time (callees included):",
    ...list(inclusive, top),
  ].join('\n');
}

/** `thaw dist/ingest`, `npm fastify`, `node crypto`, `GC`, `native writes (syscalls)`, … */
function areaOf(url: string, functionName: string): string {
  if (functionName === '(garbage collector)') return 'GC';
  // Native write calls are the syscalls behind socket writes (Redis, HTTP) and log lines.
  if (url === '' && /^write/.test(functionName)) return 'native writes (syscalls)';
  if (url === '') return `native (${functionName || 'anonymous'})`;
  if (url.startsWith('node:')) return nodeArea(url);
  const modules = url.lastIndexOf('/node_modules/');
  if (modules !== -1) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    const name = rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
    return `npm ${name}`;
  }
  const dist = url.indexOf(THAW_DIST);
  if (dist !== -1) {
    const parts = url.slice(dist + THAW_DIST.length).split('/');
    return `thaw dist/${parts.length > 1 ? parts[0] : parts.join('/')}`;
  }
  return url.replace(`file://${ROOT}/`, '');
}

/** Node's own JavaScript by what it does: crypto (signature checks), HTTP, streams and sockets, … */
function nodeArea(url: string): string {
  const name = url.replace(/^node:(internal\/)?/, '');
  if (name.startsWith('crypto')) return 'node crypto';
  if (/^(_http|http)/.test(name)) return 'node http';
  if (/^(streams|stream|net|stream_base_commons)/.test(name)) return 'node streams and sockets';
  if (/^(modules|bootstrap|vm)/.test(name)) return 'node module loading';
  return 'node other';
}

function functionLabel(frame: CpuProfile['nodes'][number]['callFrame']): string {
  const where = frame.url
    .replace(`file://${ROOT}/`, '')
    .replace(/^.*\/node_modules\//, '')
    .replace(/^file:\/\//, '');
  return `${frame.functionName || '(anonymous)'} ${where ? `${where}:${frame.lineNumber + 1}` : ''}`.trim();
}
