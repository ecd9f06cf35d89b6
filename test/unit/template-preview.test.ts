import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPreview } from '../../src/cli/preview-command';

describe('thaw preview', () => {
  let dir: string;
  let lines: string[];
  const io = { out: (line: string): void => void lines.push(line) };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'thaw-preview-'));
    lines = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a single-, a several- and a 1,000-object sample per kind and locale, and names each file', async () => {
    const out = join(dir, 'out');
    expect(await runPreview(['completed', '--locale', 'de', '--out', out], io)).toBe(0);
    const expected = [
      'completed.de.html',
      'completed.de.many.html',
      'completed.de.many.subject.txt',
      'completed.de.many.txt',
      'completed.de.multi.html',
      'completed.de.multi.subject.txt',
      'completed.de.multi.txt',
      'completed.de.subject.txt',
      'completed.de.txt',
    ];
    expect(readdirSync(out).sort()).toEqual(expected);
    expect(lines.sort()).toEqual(expected.map((name) => join(out, name)));
    expect(readFileSync(join(out, 'completed.de.subject.txt'), 'utf8')).toBe(
      'projects/2019/final-cut/interview-raw.mov steht zum Download bereit\n',
    );
    expect(readFileSync(join(out, 'completed.de.multi.subject.txt'), 'utf8')).toBe(
      'Ihre 3 Dateien stehen zum Download bereit\n',
    );
    const html = readFileSync(join(out, 'completed.de.multi.html'), 'utf8');
    expect(html).toContain('href="https://files.example.com/d/7Qx2mK2vR9tLp4Ws"');
    expect(readFileSync(join(out, 'completed.de.txt'), 'utf8')).toMatch(/\(48\sGB\)/);
    // The 1,000-object sample names its first files and counts the others.
    expect(readFileSync(join(out, 'completed.de.many.subject.txt'), 'utf8')).toBe(
      'Ihre 1.000 Dateien stehen zum Download bereit\n',
    );
    expect(readFileSync(join(out, 'completed.de.many.txt'), 'utf8')).toContain('… und 975 weitere Dateien');
  });

  it('renders every kind in every locale by default', async () => {
    expect(await runPreview(['--out', dir], io)).toBe(0);
    // 6 kinds × 2 locales × one/several/1,000 objects × subject, HTML, text
    expect(readdirSync(dir)).toHaveLength(6 * 2 * 3 * 3);
    expect(lines).toHaveLength(108);
  });

  it('renders a locale without templates through the fallback chain', async () => {
    expect(await runPreview(['expired', '--locale=pt-br', `--out=${dir}`], io)).toBe(0);
    expect(readFileSync(join(dir, 'expired.pt-BR.subject.txt'), 'utf8')).toBe(
      'The restored copy of projects/2019/final-cut/interview-raw.mov has expired\n',
    );
  });

  it('lays an operator folder over the built-in templates', async () => {
    const templates = join(dir, 'mine');
    mkdirSync(join(templates, 'en'), { recursive: true });
    writeFileSync(join(templates, 'en', 'delayed.subject.hbs'), 'Still working on {{objectName}}');
    const out = join(dir, 'out');
    expect(await runPreview(['delayed', '--locale', 'en', '--out', out, '--templates', templates], io)).toBe(
      0,
    );
    expect(readFileSync(join(out, 'delayed.en.subject.txt'), 'utf8')).toBe(
      'Still working on interview-raw.mov\n',
    );
  });

  it('reports a broken template with its file and line and exits 1', async () => {
    const templates = join(dir, 'broken');
    mkdirSync(join(templates, 'de'), { recursive: true });
    writeFileSync(join(templates, 'de', 'expired.text.hbs'), 'Hallo\n{{#each objects}\n');
    expect(await runPreview(['--out', join(dir, 'out'), '--templates', templates], io)).toBe(1);
    expect(lines.join('\n')).toContain(`${join(templates, 'de', 'expired.text.hbs')} line 2`);
  });

  it('prints usage for --help and writes nothing', async () => {
    expect(await runPreview(['--help', '--out', join(dir, 'out')], io)).toBe(0);
    expect(lines.join('\n')).toContain('Usage: thaw preview [KIND|all] [--locale L|all] [--out DIR]');
    expect(readdirSync(dir)).toEqual([]);
  });

  it.each([
    [['nonsense']],
    [['completed', 'expired']],
    [['--locale']],
    [['--locale', '../../etc']],
    [['--verbose']],
  ])('refuses %j with usage and exit code 2', async (argv) => {
    expect(await runPreview(argv, io)).toBe(2);
    expect(lines.join('\n')).toContain('Usage: thaw preview');
    expect(readdirSync(dir)).toEqual([]);
  });
});
