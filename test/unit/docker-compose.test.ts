import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ConfigError, loadConfig } from '../../src/config';
import { readTracingSettings } from '../../src/observability/tracing-settings';

/**
 * The local stack's files, checked by reading them: there is no Docker engine where the tests
 * run. docker-compose.yml, its LocalStack init script, the Dockerfile and .dockerignore must agree
 * with each other, with src/config.ts and with the contract's default ports.
 */

const ROOT = join(__dirname, '..', '..');
const read = (file: string): string => readFileSync(join(ROOT, file), 'utf8');
const INIT_DIR = 'docker/localstack/init/ready.d';
const INIT_SCRIPT = `${INIT_DIR}/thaw-setup.sh`;

interface Service {
  image?: string;
  build?: string | { context?: string; target?: string };
  command?: string | string[];
  environment?: Record<string, unknown> | string[];
  ports?: (string | { host_ip?: string; published?: string | number; target?: number })[];
  volumes?: (string | { source?: string; target?: string })[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  depends_on?: string[] | Record<string, { condition?: string }>;
  profiles?: string[];
  restart?: string;
  deploy?: { replicas?: number };
  networks?: Record<string, { aliases?: string[] } | null>;
}

const compose = parse(read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  version?: unknown;
  name?: unknown;
};
const services = compose.services;
const service = (name: string): Service => {
  const found = services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
};

/** Compose's variable interpolation: `$$`, `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`. */
function interpolate(value: string, env: Record<string, string | undefined> = {}): string {
  const pattern = /\$(?:(\$)|([A-Za-z_]\w*)|\{([A-Za-z_]\w*)(?:(:?)([-?])([^}]*))?\}|)/g;
  type Groups = [string?, string?, string?, string?, string?, string?];
  return value.replace(pattern, (whole: string, ...groups: Groups) => {
    const [dollar, bare, name, colon, op, arg = ''] = groups;
    if (dollar) return '$';
    if (bare) return env[bare] ?? '';
    if (!name) throw new Error(`invalid interpolation ("${whole}" in "${value}"): write $$ for a literal $`);
    const current = env[name];
    const missing = current === undefined || (colon === ':' && current === '');
    if (op === '?' && missing) throw new Error(`${name} is required: ${arg}`);
    return op === '-' && missing ? arg : (current ?? '');
  });
}

function environmentOf(svc: Service): Record<string, string> {
  const entries = Array.isArray(svc.environment)
    ? svc.environment.map((line) => [line.split('=')[0] ?? '', line.slice(line.indexOf('=') + 1)] as const)
    : Object.entries(svc.environment ?? {});
  return Object.fromEntries(entries.map(([name, value]) => [name, interpolate(String(value))]));
}

function publishedPorts(svc: Service): { hostIp: string; published: number; target: number }[] {
  return (svc.ports ?? []).map((port) => {
    if (typeof port !== 'string') {
      return { hostIp: port.host_ip ?? '', published: Number(port.published), target: Number(port.target) };
    }
    const parts = port.replace(/\/(tcp|udp)$/, '').split(':');
    const [target, published, hostIp] = parts.reverse();
    return { hostIp: hostIp ?? '', published: Number(published), target: Number(target) };
  });
}

/** A .dockerignore pattern (Go filepath.Match plus `**`) as a RegExp that also matches paths below it. */
function globToRegExp(glob: string): RegExp {
  const source = glob
    .replace(/^\//, '')
    .split('**')
    .map((part) =>
      part
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '[^/]'),
    )
    .join('.*');
  return new RegExp(`^${source}(/.*)?$`);
}

const commandOf = (svc: Service): string => [svc.command ?? []].flat().join(' ');
const healthTestOf = (svc: Service): string => [svc.healthcheck?.test ?? []].flat().join(' ');

/**
 * Whether thaw's configuration reads a variable, asked of loadConfig itself: every key of its
 * schema refuses a non-string value and names the key, while unknown keys are dropped silently.
 * (src/config.ts does not export its schema; this needs neither that export nor its formatting.)
 */
/** thaw's environment as compose hands it over (interpolated, nothing set in the shell). */
const thawEnv = (): Record<string, string> => environmentOf(service('thaw'));
function configReads(name: string): boolean {
  try {
    loadConfig({ ...thawEnv(), [name]: {} as unknown as string });
    return false;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.some((problem) => problem.startsWith(`${name} `));
  }
}

/** Variables the AWS SDK reads itself (credentials, metadata service); thaw passes them through. */
/** OpenTelemetry's standard variables that compose passes through (observability/tracing-settings.ts). */
const OTEL_VARIABLES = new Set(['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_SERVICE_NAME']);

const AWS_SDK_VARIABLES = new Set([
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_DEFAULT_REGION',
  'AWS_EC2_METADATA_DISABLED',
]);

/** Service names in `docker compose …` commands quoted in a Markdown file. */
function composeCommandServices(markdown: string): string[] {
  const names: string[] = [];
  // Options that take a value: global ones (before the subcommand), then the subcommands' own.
  const globalValueFlags = new Set(['-f', '--file', '-p', '--project-name', '--profile', '--env-file']);
  const valueFlags = new Set(['--scale', '-t', '--timeout', '--tail', '-e', '--env', '-u', '--user', '-w']);
  const takesServices = /^(up|start|stop|restart|logs|build|pull|ps|rm|kill|create|pause|unpause|top)$/;
  for (const match of markdown.matchAll(/docker compose((?:[ \t]+[^\s`;&|,)#]+)+)/g)) {
    const words = (match[1] ?? '').trim().split(/\s+/);
    const positional: string[] = [];
    for (let i = 0; i < words.length; i += 1) {
      const word = words[i] ?? '';
      if ((positional.length === 0 ? globalValueFlags : valueFlags).has(word)) i += 1;
      else if (!word.startsWith('-')) positional.push(word);
    }
    const [subcommand, ...rest] = positional;
    if (subcommand === undefined) continue;
    if (takesServices.test(subcommand)) names.push(...rest);
    else if (/^(run|exec|port)$/.test(subcommand) && rest[0] !== undefined) names.push(rest[0]);
  }
  return names;
}

describe('docker-compose.yml', () => {
  it('is a Compose Specification file (no `version:`) with redis, localstack and thaw', () => {
    expect(compose.version).toBeUndefined();
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['redis', 'localstack', 'thaw']));
  });

  it('has only the top-level keys docker-compose 1.29 (Debian) accepts: no `name:`', () => {
    // 1.29's compose_spec.json: these properties and `x-*`, nothing else (`name` came later).
    const accepted = new Set(['version', 'services', 'networks', 'volumes', 'secrets', 'configs']);
    expect(Object.keys(compose).filter((key) => !key.startsWith('x-') && !accepted.has(key))).toEqual([]);
    expect(compose.name).toBeUndefined();
  });

  it('every string in it interpolates (a literal $ must be written $$)', () => {
    const walk = (node: unknown): void => {
      if (typeof node === 'string') interpolate(node);
      else if (node && typeof node === 'object') Object.values(node).forEach(walk);
    };
    expect(() => walk(compose)).not.toThrow();
  });

  it('runs Redis append-only with noeviction and its data on a named volume', () => {
    const redis = service('redis');
    expect(redis.image).toMatch(/^redis:7/);
    const command = commandOf(redis);
    expect(command).toMatch(/--appendonly yes/);
    expect(command).toMatch(/--appendfsync everysec/);
    expect(command).toMatch(/--maxmemory-policy noeviction/);
    const data = (redis.volumes ?? []).map((v) => (typeof v === 'string' ? v : `${v.source}:${v.target}`));
    const [volumeName] = data.find((v) => v.split(':')[1] === '/data')?.split(':') ?? [];
    expect(volumeName).toBeDefined();
    expect(Object.keys(compose.volumes ?? {})).toContain(volumeName);
  });

  it('gives every service a healthcheck, and waits on healthy dependencies only', () => {
    for (const [name, svc] of Object.entries(services)) {
      expect([name, svc.healthcheck?.disable ?? false, healthTestOf(svc).length > 0]).toEqual([
        name,
        false,
        true,
      ]);
      // The list form means condition service_started.
      const dependsOn: Record<string, { condition?: string }> = Array.isArray(svc.depends_on)
        ? Object.fromEntries(svc.depends_on.map((dep) => [dep, { condition: 'service_started' }]))
        : (svc.depends_on ?? {});
      for (const [dependency, { condition }] of Object.entries(dependsOn)) {
        expect([name, dependency, condition]).toEqual([name, dependency, 'service_healthy']);
        expect(services[dependency]).toBeDefined();
      }
    }
    expect(Object.keys(service('thaw').depends_on ?? {})).toEqual(
      expect.arrayContaining(['redis', 'localstack']),
    );
  });

  it('builds thaw from the Dockerfile, role serve, restarted unless stopped, probed on /readyz', () => {
    const thaw = service('thaw');
    expect(thaw.build).toBe('.');
    expect(commandOf(thaw)).toBe('serve');
    expect(thaw.restart).toBe('unless-stopped');
    expect(healthTestOf(thaw)).toMatch(/\/readyz/);
  });

  it('publishes ports on 127.0.0.1 only, at the contract defaults', () => {
    for (const [name, svc] of Object.entries(services)) {
      for (const port of publishedPorts(svc)) expect([name, port.hostIp]).toEqual([name, '127.0.0.1']);
    }
    const expected = { thaw: 3000, redis: 6379, localstack: 4566 };
    for (const [name, port] of Object.entries(expected)) {
      expect(publishedPorts(service(name))).toContainEqual({
        hostIp: '127.0.0.1',
        published: port,
        target: port,
      });
    }
  });

  it('pins LocalStack 3.x or 4.x with S3, SNS, SQS and SES, and mounts the init script folder', () => {
    const localstack = service('localstack');
    expect(localstack.image).toMatch(/^localstack\/localstack:[34]\.\d+(\.\d+)?$/);
    const env = environmentOf(localstack);
    expect((env.SERVICES ?? '').split(',')).toEqual(expect.arrayContaining(['s3', 'sns', 'sqs', 'ses']));
    const mounts = (localstack.volumes ?? []).map((v) =>
      typeof v === 'string' ? v : `${v.source}:${v.target}`,
    );
    expect(mounts).toContainEqual(
      expect.stringMatching(
        /^\.\/docker\/localstack\/init\/ready\.d:\/etc\/localstack\/init\/ready\.d(:ro)?$/,
      ),
    );
  });

  it("sets only variables thaw's config or the AWS SDK reads, and every required one", () => {
    const names = Object.keys(thawEnv());
    const unknown = names.filter(
      (name) => !AWS_SDK_VARIABLES.has(name) && !OTEL_VARIABLES.has(name) && !configReads(name),
    );
    expect(unknown).toEqual([]);
    expect(names).toEqual(expect.arrayContaining(['MAIL_FROM', 'API_TOKEN', 'SNS_TOPIC_ARNS']));
  });

  it('leaves traces off unless the shell names a collector', () => {
    expect(readTracingSettings(thawEnv())).toEqual({ enabled: false });
    const raw = service('thaw').environment as Record<string, string>;
    const endpoint = interpolate(raw.OTEL_EXPORTER_OTLP_ENDPOINT ?? '', {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
    });
    expect(readTracingSettings({ ...thawEnv(), OTEL_EXPORTER_OTLP_ENDPOINT: endpoint })).toMatchObject({
      enabled: true,
      exporter: 'otlp',
    });
  });

  it("gives thaw a configuration that loads and points at the stack's own services", () => {
    const config = loadConfig(thawEnv());
    expect(config.sns.allowHttp).toBe(true);
    expect(config.sns.topicArns).toEqual(['arn:aws:sns:us-east-1:000000000000:thaw-restore-events']);
    expect(config.sns.feedbackTopicArns).toEqual(['arn:aws:sns:us-east-1:000000000000:thaw-ses-feedback']);
    const admits = (host: string) => config.sns.trustedHosts.exec(host)?.[0] === host;
    expect(['localstack', 'localhost.localstack.cloud', '127.0.0.1'].filter(admits)).toHaveLength(3);
    expect(
      ['sns.s3-us-west-2.amazonaws.com', 'localstack.evil.example', 'xlocalstack', '127.0.0.10'].filter(
        admits,
      ),
    ).toEqual([]);
    const aliases = Object.values(services).flatMap((svc) =>
      Object.values(svc.networks ?? {}).flatMap((network) => network?.aliases ?? []),
    );
    for (const url of [config.redis.url, config.aws.s3Endpoint, config.aws.sesEndpoint]) {
      const host = new URL(url ?? 'missing:').hostname;
      expect([...Object.keys(services), ...aliases]).toContain(host);
    }
  });

  it('has a `scale` profile: an api and two worker replicas on the same Redis and prefix', () => {
    const api = service('api');
    const worker = service('worker');
    expect([api.profiles, worker.profiles]).toEqual([['scale'], ['scale']]);
    expect([commandOf(api), commandOf(worker)]).toEqual(['api', 'worker']);
    expect(worker.deploy?.replicas).toBe(2);
    const { REDIS_URL, THAW_PREFIX } = thawEnv();
    for (const svc of [api, worker]) {
      expect(environmentOf(svc).REDIS_URL).toBe(REDIS_URL);
      expect(environmentOf(svc).THAW_PREFIX).toBe(THAW_PREFIX);
    }
  });
});

describe('LocalStack init script', () => {
  const script = read(INIT_SCRIPT);
  const lines = script.split('\n');

  it('is an executable bash script that stops at the first error', () => {
    expect(INIT_SCRIPT.endsWith('.sh')).toBe(true); // LocalStack runs only *.sh (and *.py) files
    expect(statSync(join(ROOT, INIT_SCRIPT)).mode & 0o111).toBe(0o111);
    expect(lines[0]).toMatch(/^#!\/(usr\/)?bin\/(env )?bash$/);
    const firstCommand = lines.find((line, i) => i > 0 && line.trim() !== '' && !line.startsWith('#'));
    expect(firstCommand).toBe('set -euo pipefail');
    const check = spawnSync('bash', ['-n', join(ROOT, INIT_SCRIPT)], { encoding: 'utf8' });
    expect(check.error ?? check.stderr).toBe('');
  });

  it('lets only S3, for this bucket and account, publish restore events to the topic', () => {
    expect(script).toMatch(/"Service": "s3\.amazonaws\.com"/);
    expect(script).toMatch(/"aws:SourceArn": "arn:aws:s3:::\$BUCKET"/);
    expect(script).toMatch(/"aws:SourceAccount": "\$ACCOUNT"/);
    expect(script).toMatch(/^ACCOUNT="000000000000"/m);
    expect(script).toMatch(/put-bucket-notification-configuration/);
    expect(script).toMatch(/"Events": \["s3:ObjectRestore:\*"\]/);
  });

  it('creates what thaw is configured with: topics, sender, endpoint, a GLACIER object', () => {
    const env = thawEnv();
    const topicName = (arns: string | undefined) => (arns ?? '').split(':').pop();
    expect(script).toContain(`RESTORE_TOPIC="${topicName(env.SNS_TOPIC_ARNS)}"`);
    expect(script).toContain(`FEEDBACK_TOPIC="${topicName(env.SNS_FEEDBACK_TOPIC_ARNS)}"`);
    expect(script).toContain(`MAIL_FROM="\${THAW_MAIL_FROM:-${env.MAIL_FROM}}"`);
    expect(script).toMatch(/ses verify-email-identity --email-address "\$MAIL_FROM"/);
    expect(script).toContain(`ENDPOINT="\${THAW_SNS_ENDPOINT:-http://thaw:${env.PORT}/sns}"`);
    expect(script).toMatch(/sns subscribe [^\n]*--protocol http/);
    expect(script).toMatch(/--attribute-name SignatureVersion --attribute-value 2/);
    expect(script).toMatch(/--storage-class GLACIER/);
  });
});

describe('Dockerfile and .dockerignore', () => {
  const instructions = read('Dockerfile')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'))
    .map((line) => {
      const [keyword = '', ...args] = line.trim().split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: args.join(' ') };
    });
  const lastFrom = instructions.map((i) => i.keyword).lastIndexOf('FROM');
  const runtime = instructions.slice(lastFrom);
  const inRuntime = (keyword: string) => runtime.filter((i) => i.keyword === keyword).map((i) => i.args);

  it('builds in stages and runs node:20-bookworm-slim as a user that is not root', () => {
    expect(instructions.filter((i) => i.keyword === 'FROM').length).toBeGreaterThanOrEqual(2);
    expect(runtime[0]?.args).toMatch(/^node:20-bookworm-slim\b/);
    expect(instructions.some((i) => i.keyword === 'RUN' && /npm run build/.test(i.args))).toBe(true);
    expect(instructions.some((i) => i.keyword === 'RUN' && /npm prune --omit=dev/.test(i.args))).toBe(true);
    const user = inRuntime('USER').pop();
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
  });

  it('ships the templates, probes /readyz and starts `node dist/main.js serve` in production mode', () => {
    expect(inRuntime('COPY')).toContainEqual(expect.stringMatching(/^templates\s/));
    expect(inRuntime('HEALTHCHECK').join(' ')).toMatch(/\/readyz/);
    expect(inRuntime('ENTRYPOINT').map((args) => JSON.parse(args) as unknown)).toEqual([
      ['node', 'dist/main.js'],
    ]);
    expect(inRuntime('CMD').map((args) => JSON.parse(args) as unknown)).toEqual([['serve']]);
    expect(inRuntime('ENV').join(' ')).toMatch(/\bNODE_ENV=production\b/);
    expect(inRuntime('EXPOSE')).toEqual(['3000']);
  });

  it('has every stage that docker-compose.yml builds', () => {
    const stages = instructions
      .filter((i) => i.keyword === 'FROM')
      .map((i) => /\sAS\s+(\S+)/i.exec(i.args)?.[1]);
    for (const svc of Object.values(services)) {
      if (typeof svc.build === 'object' && svc.build.target) expect(stages).toContain(svc.build.target);
    }
  });

  it('keeps bulky and private files out of the context, but nothing the Dockerfile copies', () => {
    const patterns = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    expect(patterns).toEqual(expect.arrayContaining(['node_modules', 'dist', '.git', 'coverage']));
    // The last matching pattern decides; a leading `!` re-includes.
    const ignored = (path: string) =>
      patterns.reduce(
        (out, p) => (globToRegExp(p.replace(/^!/, '')).test(path) ? !p.startsWith('!') : out),
        false,
      );
    const copied = instructions
      .filter((i) => i.keyword === 'COPY' && !/--from=/.test(i.args))
      .flatMap((i) =>
        i.args
          .split(/\s+/)
          .filter((word) => !word.startsWith('--'))
          .slice(0, -1),
      );
    expect(copied).toEqual(expect.arrayContaining(['package-lock.json', 'src', 'templates']));
    expect(copied.filter(ignored)).toEqual([]);
    expect(ignored('node_modules/x/index.js')).toBe(true); // the matcher itself works
  });
});

describe('docker compose commands in the docs', () => {
  const known = new Set(Object.keys(services));

  it('reads service names out of commands (so the check below can fail)', () => {
    expect(
      composeCommandServices('run `docker compose up -d redis`, then `docker compose logs -f thaw`'),
    ).toEqual(['redis', 'thaw']);
    expect(composeCommandServices('`docker compose --profile scale up --build`')).toEqual([]);
    expect(composeCommandServices('docker compose up -d redis   # only Redis')).toEqual(['redis']);
    expect(composeCommandServices('`docker compose exec localstack awslocal s3 ls`')).toEqual(['localstack']);
    expect(configReads('PORT')).toBe(true);
    expect(configReads('NOT_A_THAW_SETTING')).toBe(false);
    expect(() => interpolate('^thaw$')).toThrow(/\$\$/);
  });

  it.each(['README.md', 'docs/DOCKER.md'])('%s names only services that exist', (file) => {
    if (!existsSync(join(ROOT, file))) return; // nothing to check
    const named = composeCommandServices(read(file));
    expect(named.filter((name) => !known.has(name))).toEqual([]);
  });
});
