import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { freePort } from '../../../src/demo/local-redis';
import type { TlsMaterial } from './certificates';
import { sleep } from './wait';

export const HOST = '127.0.0.1';

/**
 * Ports handed out by this process and not yet known to be taken by a redis-server. freePort()
 * closes its probe socket before returning, so two calls in a row can return the same port; a
 * topology asks for a dozen at once (client ports and cluster-bus ports), so repeats are skipped.
 */
const handedOut = new Set<number>();

export async function allocatePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const port = await freePort(HOST);
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('could not get a fresh free port from the OS in 20 tries');
}

/**
 * One redis-server process (data node or sentinel) with its own port and temp dir. Subclasses say
 * how to launch it; this class owns the life cycle every topology needs: start and wait until it
 * answers, SIGKILL without cleanup (a crash, not a shutdown), start again on the same port and
 * files, and a final stop that also removes the dir. The log goes to a file in the dir, so a node
 * that does not come up is reported with its own last words instead of a bare timeout.
 */
export abstract class RedisChild {
  readonly host = HOST;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private stopped = false;

  protected constructor(
    readonly port: number,
    readonly dir: string,
    readonly tls: TlsMaterial | undefined,
  ) {}

  /** Makes the temp dir; the caller passes it to the constructor. */
  protected static makeDir(kind: string): string {
    return mkdtempSync(join(tmpdir(), `thaw-${kind}-`));
  }

  /** Arguments for redis-server; called on every start, so it may write config files first. */
  protected abstract argv(): string[];

  get url(): string {
    return `${this.tls ? 'rediss' : 'redis'}://${this.host}:${this.port}`;
  }

  /** `127.0.0.1:port`, the form redis-cli, CLUSTER NODES and the env contract use. */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  get logFile(): string {
    return join(this.dir, 'redis.log');
  }

  /** redis-server's stdout and stderr. */
  get outputFile(): string {
    return join(this.dir, 'output.log');
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Spawns redis-server (a no-op while it runs) and waits until it answers PING. */
  async start(timeoutMs = 10_000): Promise<void> {
    if (this.stopped) throw new Error(`${this.address}: start() after stop()`);
    if (this.running) return;
    // Config errors are printed before the log file is open: keep stdout/stderr in a file too.
    const output = openSync(this.outputFile, 'a');
    const child = spawn('redis-server', this.argv(), { stdio: ['ignore', output, output] });
    closeSync(output);
    this.child = child;
    let failure: string | undefined;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        failure ??= `exited early (code ${code}, signal ${signal})`;
        resolve();
      });
      // ENOENT and friends: 'exit' never comes, so settle here too.
      child.once('error', (error) => {
        failure ??= `could not be spawned: ${error.message}`;
        if (this.child === child) this.child = undefined;
        resolve();
      });
    });
    const until = Date.now() + timeoutMs;
    for (;;) {
      if (failure) break;
      if (await this.answersPing()) return;
      if (Date.now() > until) {
        failure = `did not answer PING within ${timeoutMs} ms`;
        await this.kill9();
        break;
      }
      await sleep(50);
    }
    throw new Error(
      `redis-server on port ${this.port} ${failure}; last lines of its log:\n${this.logTail()}`,
    );
  }

  /** SIGKILL, as a crash would: no AOF rewrite, no goodbye to replicas or the cluster. */
  async kill9(): Promise<void> {
    if (this.running) this.child?.kill('SIGKILL');
    await this.exited;
  }

  /** kill -9 (if running) and start again on the same port, dir, AOF and nodes.conf. */
  async restart(timeoutMs?: number): Promise<void> {
    await this.kill9();
    await this.start(timeoutMs);
  }

  /** Kills the process and removes its dir. Safe to call twice. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.kill9();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * An ioredis client to this one process, for admin commands. It does not reconnect (a killed
   * node should fail fast, not hang a test) and does not follow MOVED. The caller closes it.
   */
  client(options: RedisOptions = {}): Redis {
    const client = new Redis({
      host: this.host,
      port: this.port,
      ...(this.tls ? { tls: { ca: this.tls.caPem } } : {}),
      connectTimeout: 2000,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      ...options,
    });
    client.on('error', () => undefined);
    return client;
  }

  /** Runs one admin command on a short-lived connection. */
  async call(command: string, ...args: (string | number)[]): Promise<unknown> {
    const client = this.client({ lazyConnect: true });
    try {
      await client.connect();
      return await client.call(command, ...args);
    } finally {
      client.disconnect();
    }
  }

  /** INFO <section> as a map of field to value. */
  async info(section: string): Promise<Map<string, string>> {
    const text = String(await this.call('INFO', section));
    const fields = new Map<string, string>();
    for (const line of text.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1));
    }
    return fields;
  }

  /** The last lines of the log file and of stdout/stderr, for error messages. */
  logTail(lines = 20): string {
    return [this.logFile, this.outputFile]
      .filter((file) => existsSync(file))
      .map((file) => `${file}:\n${readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')}`)
      .join('\n');
  }

  private async answersPing(): Promise<boolean> {
    const client = this.client({ lazyConnect: true, connectTimeout: 500 });
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } catch {
      // LOADING (AOF replay), refused (not listening yet): both mean "not yet".
      return false;
    } finally {
      client.disconnect();
    }
  }
}

export type Directive = [string, ...string[]];

/**
 * Where a data node or sentinel listens. With TLS there is no plaintext port at all (`port 0`), so
 * nothing in a test can pass by accident over plaintext.
 */
export function listenDirectives(port: number, tls: TlsMaterial | undefined): Directive[] {
  if (!tls) return [['port', String(port)]];
  return [
    ['port', '0'],
    ['tls-port', String(port)],
    ['tls-cert-file', tls.certFile],
    ['tls-key-file', tls.keyFile],
    ['tls-ca-cert-file', tls.caFile],
    // Clients (ioredis, redis-cli) verify the server; the server does not ask them for a certificate.
    ['tls-auth-clients', 'no'],
    // Outgoing links (replica to primary, sentinel to anything) use TLS as well: there is no
    // plaintext port to fall back to.
    ['tls-replication', 'yes'],
  ];
}

/** Renders directives as a redis.conf / sentinel.conf body; values are quoted (paths, empty save). */
export function renderConfig(directives: Directive[]): string {
  const quote = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  return directives.map(([name, ...values]) => [name, ...values.map(quote)].join(' ')).join('\n') + '\n';
}
