import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBareApp } from '../helpers/bare-app';

/**
 * /openapi.json is read by users' tools (client generators, gateways, Swagger UI): it is held to
 * Redocly's `recommended` rules, run by the Redocly CLI itself on the document the app serves.
 */

const ROOT = join(__dirname, '..', '..');
const REDOCLY = join(ROOT, 'node_modules', '.bin', 'redocly');

interface OpenApiDocument {
  info: { license?: { name?: string } };
  servers?: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
}
interface Operation {
  operationId?: string;
  responses: Record<string, { description: string; headers?: Record<string, unknown> }>;
}
interface LintReport {
  totals: { errors: number; warnings: number };
  problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[];
}

let document: OpenApiDocument;
let text: string;

beforeAll(async () => {
  const app = await buildBareApp();
  try {
    text = (await app.inject({ url: '/openapi.json' })).body;
    document = JSON.parse(text) as OpenApiDocument;
  } finally {
    await app.close();
  }
});

const operations = (): [string, Operation][] =>
  Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]): [string, Operation] => [
      `${method.toUpperCase()} ${path}`,
      operation,
    ]),
  );

describe('GET /openapi.json', () => {
  it('passes `redocly lint` with the recommended rules: no error, no warning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'thaw-openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      writeFileSync(file, text);
      const lint = spawnSync(REDOCLY, ['lint', '--extends=recommended', '--format=json', file], {
        encoding: 'utf8',
        cwd: dir, // no redocly.yaml of anyone's may change the rules
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
        timeout: 60_000,
      });
      if (lint.error) throw new Error(`could not run ${REDOCLY}: ${lint.error.message}`);
      const report = JSON.parse(lint.stdout) as LintReport;
      const problems = report.problems.map(
        (p) => `${p.severity} ${p.ruleId} at ${p.location[0]?.pointer ?? '?'}: ${p.message}`,
      );
      expect(problems).toEqual([]);
      expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
      expect(lint.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("names package.json's license and a server", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { license: string };
    expect(document.info.license?.name).toBe(pkg.license);
    expect(document.servers?.length).toBeGreaterThan(0);
  });

  it('gives every operation a unique operationId and a real description of every answer', () => {
    const ids = operations().map(([, operation]) => operation.operationId);
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const defaults = operations().flatMap(([name, operation]) =>
      Object.entries(operation.responses)
        .filter(([, response]) => response.description === 'Default Response')
        .map(([status]) => `${name} ${status}`),
    );
    expect(defaults).toEqual([]);
  });

  it('documents 401 (WWW-Authenticate) and 429 (Retry-After) on every operation', () => {
    for (const [name, operation] of operations()) {
      expect([name, Object.keys(operation.responses['401']?.headers ?? {})]).toEqual([
        name,
        ['WWW-Authenticate'],
      ]);
      expect([name, Object.keys(operation.responses['429']?.headers ?? {})]).toEqual([name, ['Retry-After']]);
    }
  });
});
