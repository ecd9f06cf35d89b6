import type { Config } from './config-schema';

/** Shortest token that is not warned about: 16 characters of a random token are ~95 bits. */
export const RECOMMENDED_TOKEN_LENGTH = 16;

/** Settings that work but should not reach production; logged as warnings at start. */
export function configWarnings(config: Config): string[] {
  const warnings: string[] = [];
  const short = (name: string, value: string) => {
    if (value.length < RECOMMENDED_TOKEN_LENGTH) {
      warnings.push(
        `${name} is shorter than ${RECOMMENDED_TOKEN_LENGTH} characters: use a long random token (openssl rand -hex 24) outside local tests`,
      );
    }
  };
  short('API_TOKEN', config.apiToken);
  if (config.adminToken === config.apiToken) {
    warnings.push(
      'ADMIN_TOKEN equals API_TOKEN: every API client may act on the operator board (add, retry, clean, empty, pause); give it a token of its own',
    );
  } else if (config.adminToken !== undefined) short('ADMIN_TOKEN', config.adminToken);
  if (config.sns.allowHttp) {
    warnings.push(
      'SNS_ALLOW_HTTP is true: certificate and subscription URLs may be plain http (local use only)',
    );
  }
  if (config.links.publicBaseUrl === undefined && config.aws.s3Endpoint === undefined) {
    // Against AWS, a presigned URL dies with the credentials that signed it (a task or instance
    // role's session lasts hours, not the 7 days asked), and with a session token it is ~1,600
    // characters: longer than an email line may be, so the text part has to cut it.
    warnings.push(
      'PUBLIC_BASE_URL is unset: emails carry presigned S3 URLs, which stop working when the role session that signed them ends and are too long for one email line; set it so links are minted at click time',
    );
  }
  warnings.push(...replayWindowWarnings(config));
  return warnings;
}

/**
 * A signed SNS message may be replayed (by anyone who saw it) for SNS_MAX_AGE_SECONDS; an event is
 * remembered, and a repeat refused, for EVENT_DEDUPE_TTL_SECONDS. A replay between the two is
 * processed again. A warning, not a refusal: both values keep the meaning the published interface gives
 * SNS_MAX_AGE_SECONDS (0 included), and correlation ignores events from before a restore thaw
 * started, so a replay cannot move such a request.
 */
function replayWindowWarnings(config: Config): string[] {
  const { maxAgeSeconds } = config.sns;
  const { dedupeTtlSeconds } = config.events;
  const remedy =
    'an old restore event replayed after its dedupe record expired is processed again (requests that only record interest, or stored before the upgrade, may move); set SNS_MAX_AGE_SECONDS between 1 and EVENT_DEDUPE_TTL_SECONDS (which may be raised to 30 days)';
  if (maxAgeSeconds === 0) {
    return [
      `SNS_MAX_AGE_SECONDS is 0 (no age check) while EVENT_DEDUPE_TTL_SECONDS (${dedupeTtlSeconds}) is finite: ${remedy}`,
    ];
  }
  if (maxAgeSeconds > dedupeTtlSeconds) {
    return [
      `SNS_MAX_AGE_SECONDS (${maxAgeSeconds}) is longer than EVENT_DEDUPE_TTL_SECONDS (${dedupeTtlSeconds}): ${remedy}`,
    ];
  }
  return [];
}
