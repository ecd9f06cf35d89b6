import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const MAIN = join(__dirname, '..', '..', 'dist', 'main.js');

/** One thaw process (`node dist/main.js <role>`), as containers run it, with its JSON log lines. */
export interface ThawProcess {
  readonly role: string;
  readonly port: number;
  readonly url: string;
  /** Every JSON log line written since start (all incarnations). */
  readonly lines: Record<string, unknown>[];
  start(): Promise<void>;
  kill(signal: NodeJS.Signals): Promise<void>;
  /** Counts log lines with this message. */
  count(message: string): number;
}

export function thawProcess(
  role: 'api' | 'worker' | 'serve',
  port: number,
  env: Record<string, string>,
): ThawProcess {
  const lines: Record<string, unknown>[] = [];
  let child: ChildProcess | undefined;
  const url = `http://127.0.0.1:${port}`;

  async function start(): Promise<void> {
    child = spawn(process.execPath, [MAIN, role], {
      env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffer = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        try {
          lines.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // not JSON: ignore
        }
        newline = buffer.indexOf('\n');
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      if (!text.includes('Warning')) process.stderr.write(`[thaw ${role}] ${text}`);
    });
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        if ((await fetch(`${url}/healthz`)).ok) return;
      } catch {
        // not listening yet
      }
      if (child.exitCode !== null)
        throw new Error(`thaw ${role} exited with ${child.exitCode} while starting`);
      if (Date.now() > deadline) throw new Error(`thaw ${role} did not start`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  return {
    role,
    port,
    url,
    lines,
    start,
    async kill(signal) {
      const current = child;
      if (!current || current.exitCode !== null || current.signalCode !== null) return;
      const exited = new Promise((resolve) => current.once('exit', resolve));
      current.kill(signal);
      await exited;
    },
    count: (message) => lines.filter((line) => line.msg === message).length,
  };
}
