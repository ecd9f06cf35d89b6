import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Resources } from './resources';

/** Paths of the programs the bench runs in child processes. */
export const ROOT = join(__dirname, '..', '..');
export const THAW_MAIN = join(ROOT, 'dist', 'main.js');
export const CHILDREN = join(__dirname, '..', 'children');
const EXIT_WITH_PARENT = join(CHILDREN, 'exit-with-parent.js');

export interface ChildSpec {
  /** Shown in the report and in error messages, e.g. `thaw api`. */
  readonly name: string;
  readonly script: string;
  readonly args?: readonly string[];
  readonly env: Record<string, string>;
  /** Extra Node flags, e.g. `--cpu-prof`. */
  readonly nodeArgs?: readonly string[];
  /** How the bench knows the child is up: its IPC `{ type: 'ready' }`, or an HTTP URL answering 200. */
  readonly ready: { readonly ipc: true } | { readonly url: string };
  /** Where the child's stdout and stderr go (thaw logs one JSON line per request). */
  readonly logFile: string;
}

export interface BenchChild {
  readonly name: string;
  readonly pid: number;
  /** Resident set size now, bytes; undefined where /proc is not available. */
  rssBytes(): number | undefined;
  /** Calls `listener` for every IPC message the child sends. */
  onMessage(listener: (message: { type?: string } & Record<string, unknown>) => void): void;
  /** Sends an IPC message and resolves with the first answer of `answerType`. */
  ask<T>(message: object, answerType: string, timeoutMs?: number): Promise<T>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
  /** The last lines of the child's output, for error messages. */
  logTail(lines?: number): string;
}

const READY_TIMEOUT_MS = 60_000;

/**
 * Starts a Node child process with an IPC channel (so it exits with the bench, see
 * exit-with-parent.js), its output in a log file, and waits until it is ready.
 */
export async function startChild(spec: ChildSpec, resources: Resources): Promise<BenchChild> {
  const log = openSync(spec.logFile, 'a');
  const child: ChildProcess = spawn(
    process.execPath,
    [...(spec.nodeArgs ?? []), '-r', EXIT_WITH_PARENT, spec.script, ...(spec.args ?? [])],
    { cwd: ROOT, env: spec.env, stdio: ['ignore', log, log, 'ipc'] },
  );
  closeSync(log);
  // Spawn failures and IPC errors arrive as 'error' events; the exit or the readiness wait reports them.
  child.on('error', () => undefined);
  if (child.pid === undefined) throw new Error(`${spec.name}: could not be started`);
  const pid = child.pid;
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => {
      exitCode = code ?? (signal ? 128 : null);
      resolve(exitCode);
    }),
  );

  const logTail = (lines = 15): string => {
    try {
      return readFileSync(spec.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no output)';
    }
  };

  const stop = async (graceMs = 15_000): Promise<number | null> => {
    if (exitCode !== undefined) return exitCode;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };
  const release = resources.add(spec.name, () => stop());

  const benchChild: BenchChild = {
    name: spec.name,
    pid,
    rssBytes: () => readRss(pid),
    onMessage(listener) {
      child.on('message', listener);
    },
    ask<T>(message: object, answerType: string, timeoutMs = 10_000): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          child.off('message', onAnswer);
          reject(new Error(`${spec.name} did not answer ${answerType}`));
        }, timeoutMs);
        const onAnswer = (answer: { type?: string }) => {
          if (answer?.type !== answerType) return;
          clearTimeout(timer);
          child.off('message', onAnswer);
          resolve(answer as T);
        };
        child.on('message', onAnswer);
        child.send(message);
      });
    },
    async stop(graceMs) {
      const code = await stop(graceMs);
      await release();
      return code;
    },
    logTail,
  };

  try {
    await Promise.race([
      waitReady(spec, child, () => exitCode !== undefined),
      exited.then((code) => {
        throw new Error(`exited with code ${code} before it was ready`);
      }),
    ]);
  } catch (error) {
    await benchChild.stop(2000);
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${spec.name}: ${reason}\n--- last output (${spec.logFile}) ---\n${logTail()}`);
  }
  return benchChild;
}

/** Resolves once the child is ready; gives up at the deadline or as soon as the child has exited. */
async function waitReady(spec: ChildSpec, child: ChildProcess, hasExited: () => boolean): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  if ('ipc' in spec.ready) {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('not ready in time')), READY_TIMEOUT_MS);
      timer.unref();
      child.on('message', (message: { type?: string }) => {
        if (message?.type !== 'ready') return;
        clearTimeout(timer);
        resolve();
      });
    });
    return;
  }
  const { url } = spec.ready;
  while (Date.now() < deadline && !hasExited()) {
    const ok = await fetch(url, { signal: AbortSignal.timeout(1000) })
      .then((response) => response.ok)
      .catch(() => false);
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`${url} did not answer 200 within ${READY_TIMEOUT_MS} ms`);
}

/** VmRSS of a process from /proc, in bytes (Linux); undefined elsewhere or once it is gone. */
export function readRss(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
    return match?.[1] ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export interface RssSampler {
  /** Stops sampling; the peak and median of the samples, bytes (undefined without /proc). */
  stop(): { peak: number | undefined; median: number | undefined };
}

/** Samples the summed RSS of some processes every `everyMs` while a load runs. */
export function sampleRss(children: readonly BenchChild[], everyMs = 250): RssSampler {
  const samples: number[] = [];
  const take = () => {
    const values = children.map((child) => child.rssBytes());
    if (values.every((value) => value !== undefined)) {
      samples.push(values.reduce<number>((sum, value) => sum + (value ?? 0), 0));
    }
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      const sorted = [...samples].sort((a, b) => a - b);
      return { peak: sorted.at(-1), median: sorted[Math.floor(sorted.length / 2)] };
    },
  };
}

/** A TCP port that was free a moment ago (children are told their port; thaw has no port file). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Starts several processes at once (startup is most of a child's CPU cost, so overlapping it
 * saves time). If any fails, waits for the others, stops those that started, and rethrows.
 */
export async function startTogether<T extends readonly { readonly child: BenchChild }[]>(starting: {
  [K in keyof T]: Promise<T[K]>;
}): Promise<T> {
  const settled = await Promise.allSettled(starting);
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed) {
    await Promise.all(
      settled.map((result) => (result.status === 'fulfilled' ? result.value.child.stop() : undefined)),
    );
    throw failed.reason;
  }
  return settled.map((result) => (result as PromiseFulfilledResult<T[number]>).value) as unknown as T;
}
