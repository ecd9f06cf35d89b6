import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { baseTestEnv } from '../helpers/env';
import { eventually } from '../helpers/eventually';
import { deletePrefix, testRedis, uniquePrefix } from '../helpers/redis';

/** The built service as `npm start` runs it (`npm test` builds dist/ first). */
const MAIN = join(__dirname, '..', '..', 'dist', 'main.js');
const prefix = uniquePrefix('process');
let redis: Redis;

beforeAll(() => {
  redis = testRedis();
});
afterAll(async () => {
  await deletePrefix(redis, prefix);
  await redis.quit();
});

function run(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

const SNS = { SNS_TOPIC_ARNS: 'arn:aws:sns:us-east-1:123456789012:restores' };

describe('the thaw process', () => {
  it('refuses to start with one line naming every invalid setting', async () => {
    const { exited, output } = run(['serve'], { PORT: 'eighty', SNS_TOPIC_ARNS: 'nope' });
    expect(await exited).toBe(2);
    const lines = output().stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    for (const name of ['PORT', 'MAIL_FROM', 'API_TOKEN', 'SNS_TOPIC_ARNS']) expect(lines[0]).toContain(name);
  });

  it('refuses an unknown role', async () => {
    const { exited, output } = run(['everything'], {});
    expect(await exited).toBe(2);
    expect(output().stderr).toContain('unknown role');
  });

  it('refuses to start with a broken template, naming its file and line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'thaw-templates-'));
    mkdirSync(join(dir, 'en'));
    writeFileSync(join(dir, 'en', 'completed.subject.hbs'), 'Ready\n{{#if multi}}unclosed');
    const { exited, output } = run(['serve'], { ...baseTestEnv(prefix), ...SNS, TEMPLATES_DIR: dir });
    expect(await exited).toBe(1);
    expect(output().stderr).toMatch(/completed\.subject\.hbs/);
    expect(output().stderr).toMatch(/line \d+/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves, logs JSON lines, and exits cleanly on SIGTERM', async () => {
    const port = 30000 + Math.floor(Math.random() * 20000);
    const { child, exited, output } = run(['serve'], {
      ...baseTestEnv(prefix),
      ...SNS,
      PORT: String(port),
      LOG_LEVEL: 'info',
    });
    await eventually(async () => {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(response.status).toBe(200);
    }, 20_000);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const lines = output()
      .stdout.trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { msg: string });
    expect(lines.map((line) => line.msg)).toEqual(
      expect.arrayContaining(['thaw started', 'shutting down', 'shutdown complete']),
    );
  });
});
