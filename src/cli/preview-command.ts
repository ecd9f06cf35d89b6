import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toError } from '../errors';
import type { EmailData, EmailObject, NotificationKind } from '../notify/email-data';
import { NOTIFICATION_KINDS } from '../notify/email-data';
import { canonicalLocale } from '../templating/template-locale';
import { BUILT_IN_TEMPLATES_DIR, TemplateError, createTemplateRenderer } from '../notify/template-renderer';

/**
 * `thaw preview`: renders the templates with realistic sample data and writes the results to
 * files, so an operator can look at (and diff) every email before pointing TEMPLATES_DIR at it.
 * Exit codes: 0 written, 1 a template or file failed, 2 wrong usage.
 */

export const PREVIEW_USAGE = [
  'Usage: thaw preview [KIND|all] [--locale L|all] [--out DIR] [--templates DIR] [--help]',
  '',
  'Renders every chosen email with sample data: a single-object, a several-object and a',
  '1,000-object request each (the last names its first files and counts the others), and',
  'writes <out>/<kind>.<locale>[.multi|.many].{html,txt,subject.txt}.',
  '',
  `  KIND             ${NOTIFICATION_KINDS.join(', ')} or all (default: all)`,
  '  --locale L       a locale such as de or pt-BR (missing templates fall back), or all',
  '                   (default: all, every locale that has templates)',
  '  --out DIR        where to write the files (default: preview)',
  '  --templates DIR  your templates folder (TEMPLATES_DIR), laid over the built-in ones',
  '  --help           show this help',
].join('\n');

interface PreviewOptions {
  readonly kinds: readonly NotificationKind[];
  readonly locale: string;
  readonly outDir: string;
  readonly templatesDir?: string;
  readonly help: boolean;
}

export async function runPreview(argv: string[], io: { out: (line: string) => void }): Promise<number> {
  const parsed = parseArgs(argv);
  if (typeof parsed === 'string') {
    io.out(`thaw preview: ${parsed}`);
    io.out(PREVIEW_USAGE);
    return 2;
  }
  if (parsed.help) {
    io.out(PREVIEW_USAGE);
    return 0;
  }
  try {
    const renderer = createTemplateRenderer({
      templatesDir: BUILT_IN_TEMPLATES_DIR,
      ...(parsed.templatesDir === undefined ? {} : { overrideDir: parsed.templatesDir }),
    });
    const locales = parsed.locale === 'all' ? renderer.locales() : [parsed.locale];
    await mkdir(parsed.outDir, { recursive: true });
    for (const kind of parsed.kinds) {
      for (const locale of locales) {
        for (const size of SAMPLE_SIZES) {
          const email = renderer.render(sampleData(kind, locale, size));
          const base = join(parsed.outDir, `${kind}.${locale}${size === 'single' ? '' : `.${size}`}`);
          for (const [suffix, content] of [
            ['.html', email.html],
            ['.txt', email.text],
            ['.subject.txt', `${email.subject}\n`],
          ] as const) {
            await writeFile(base + suffix, content, 'utf8');
            io.out(base + suffix);
          }
        }
      }
    }
    return 0;
  } catch (thrown) {
    const error = toError(thrown);
    io.out(`thaw preview: ${error instanceof TemplateError ? '' : 'failed: '}${error.message}`);
    return 1;
  }
}

function parseArgs(argv: readonly string[]): PreviewOptions | string {
  let kind = 'all';
  let locale = 'all';
  let outDir = 'preview';
  let templatesDir: string | undefined;
  let help = false;
  const positional: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    const equals = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = equals > 0 ? arg.slice(0, equals) : arg;
    if (flag === '--help' || flag === '-h') help = true;
    else if (flag === '--locale' || flag === '--out' || flag === '--templates') {
      const given = equals > 0 ? arg.slice(equals + 1) : argv[(index += 1)];
      if (given === undefined || given === '' || given.startsWith('-')) return `${flag} needs a value`;
      if (flag === '--locale') locale = given;
      else if (flag === '--out') outDir = given;
      else templatesDir = given;
    } else if (arg.startsWith('-')) return `unknown option ${arg}`;
    else positional.push(arg);
  }
  if (help) return { kinds: [], locale, outDir, help };
  if (positional.length > 1) return `expected at most one KIND, got ${positional.join(' ')}`;
  kind = positional[0] ?? kind;
  const kinds = kind === 'all' ? NOTIFICATION_KINDS : NOTIFICATION_KINDS.filter((known) => known === kind);
  if (kinds.length === 0) return `unknown kind "${kind}"`;
  // The locale becomes part of file names, so only a well-formed tag is accepted.
  const canonical = locale === 'all' ? 'all' : canonicalLocale(locale);
  if (canonical === null) return `"${locale}" is not a locale (BCP 47 tag such as de or pt-BR)`;
  return { kinds, locale: canonical, outDir, help, ...(templatesDir === undefined ? {} : { templatesDir }) };
}

const NOW = Date.parse('2026-03-02T09:30:00Z');
const HOUR_MS = 3_600_000;
const at = (hours: number): string => new Date(NOW + hours * HOUR_MS).toISOString();

/** One object; three; the 1,000 a request may hold at most. */
export const SAMPLE_SIZES = ['single', 'multi', 'many'] as const;
export type SampleSize = (typeof SAMPLE_SIZES)[number];

const SAMPLE_FILES: Record<SampleSize, ReadonlyArray<readonly [string, number]>> = {
  single: [['projects/2019/final-cut/interview-raw.mov', 48_318_382_080]],
  multi: [
    ['photos/2021/wedding/DSC_0412.NEF', 52_428_800],
    ['photos/2021/wedding/DSC_0413.NEF', 51_380_224],
    ['documents/contracts/2018 lease agreement (signed).pdf', 1_843_200],
  ],
  many: Array.from({ length: 1000 }, (_, index) => [
    `photos/2021/wedding/DSC_${String(index + 1).padStart(4, '0')}.NEF`,
    50_000_000 + index * 4_096,
  ]),
};

const REQUEST_IDS: Record<SampleSize, string> = {
  single: 'req-5b7e04d2',
  multi: 'req-8f3a2c91-multi',
  many: 'req-c41e7a05-many',
};

/** Sample requests shaped like the notification worker's: real-looking keys, sizes and links. */
export function sampleData(kind: NotificationKind, locale: string, size: SampleSize): EmailData {
  const files = SAMPLE_FILES[size];
  const multi = size !== 'single';
  const times: Record<NotificationKind, Partial<EmailData>> = {
    initiated: { expectedBy: at(multi ? 12 : 5) },
    delayed: { expectedBy: at(-3) },
    completed: { restoreExpiresAt: at(7 * 24), linkExpiresAt: at(3 * 24) },
    expiring: { restoreExpiresAt: at(48), linkExpiresAt: at(48) },
    expired: { restoreExpiresAt: at(-1) },
    failed: {},
  };
  const { restoreExpiresAt } = times[kind];
  const links = kind === 'completed' || kind === 'expiring';
  const status: EmailObject['status'] =
    kind === 'expired' ? 'expired' : kind === 'failed' ? 'failed' : links ? 'completed' : 'initiated';
  const objects = files.map(([key, bytes], index): EmailObject => {
    return {
      bucket: 'acme-customer-archive',
      key,
      versionId: null,
      size: bytes,
      status,
      ...(links ? { downloadUrl: `https://files.example.com/d/7Qx2mK${index}vR9tLp4Ws` } : {}),
      ...(restoreExpiresAt === undefined ? {} : { restoreExpiresAt }),
      ...(kind === 'failed' ? { failure: 'not-started' as const } : {}),
    };
  });
  const requestId = REQUEST_IDS[size];
  return {
    kind,
    requestId,
    recipient: {
      email: 'ada.lovelace@example.com',
      name: 'Ada Lovelace',
      locale,
      timeZone: locale.startsWith('de') ? 'Europe/Berlin' : 'America/New_York',
    },
    tier: multi ? 'Bulk' : 'Standard',
    storageClass: multi ? 'DEEP_ARCHIVE' : 'GLACIER',
    objects,
    ...times[kind],
    statusPageUrl: `https://files.example.com/restores/${requestId}`,
    now: new Date(NOW).toISOString(),
  };
}
