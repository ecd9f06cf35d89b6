import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../redis/redis-connection';
import type { ObjectRef } from '../domain/object-ref';
import type { RestoreRequest } from '../domain/restore-request';
import { defineScript } from '../redis/redis-script';
import { keyTemplate } from '../keys';
import type { RedisKeys } from '../keys';

export type Presign = (object: ObjectRef, expiresInSeconds: number) => Promise<string>;

export interface DownloadLinksOptions {
  readonly redis: RedisClient;
  readonly keys: RedisKeys;
  readonly presign: Presign;
  /** Longest life of a presigned URL, seconds (DOWNLOAD_LINK_TTL_SECONDS, at most 7 days). */
  readonly linkTtlSeconds: number;
  /** When set, emails link to thaw's `/d/:token` instead of carrying presigned URLs. */
  readonly publicBaseUrl: string | undefined;
  /** How long links to copies that never expire (Intelligent-Tiering) keep working, ms. */
  readonly retentionMs: number;
}

export interface EmailLinks {
  /** Download URL per object index. */
  readonly urls: ReadonlyMap<number, string>;
  /** When the links stop working, if they do. */
  readonly expiresAt: Date | null;
}

export interface DownloadTarget {
  readonly requestId: string;
  readonly objectIndex: number;
}

export interface DownloadLinks {
  linksFor(request: RestoreRequest, indexes: readonly number[], now: number): Promise<EmailLinks>;
  resolve(token: string): Promise<DownloadTarget | null>;
  /** A presigned URL made now for one object, living at most until its copy expires. */
  presignNow(request: RestoreRequest, objectIndex: number, now: number): Promise<string | null>;
  statusPageUrl(request: RestoreRequest): Promise<string | undefined>;
  resolvePage(token: string): Promise<string | null>;
}

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{20,64}$/;

/**
 * Keeps the request's status page token (or this new one) and indexes it, in one step.
 * KEYS: [1] the request hash. ARGV: [1] proposed token, [2] keys.ts' template of page token keys
 * (JSON [before, after]): the token kept may be one an earlier call stored, known only once the
 * hash is read (under Redis Cluster, a hash-tagged prefix keeps that key in KEYS[1]'s slot);
 * [3] request id, [4] life of the index, ms. Returns the token, or nothing for a request that is gone.
 */
const PAGE_TOKEN_LUA = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
redis.call('HSETNX', KEYS[1], 'pt', ARGV[1])
local token = redis.call('HGET', KEYS[1], 'pt')
local template = cjson.decode(ARGV[2])
redis.call('SET', template[1] .. token .. template[2], ARGV[3], 'PX', ARGV[4], 'NX')
return token
`;

/**
 * Keeps each object's download token (or this new one) in the request's hash, in one step that
 * first checks the request is still there: an HSETNX on a request that expired meanwhile would
 * bring its hash back without a TTL, and nothing would ever remove it.
 * KEYS: [1] the request hash. ARGV: field, proposal, field, proposal... Returns the tokens, or
 * nothing for a request that is gone.
 */
const DOWNLOAD_TOKENS_LUA = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {} end
local tokens = {}
for i = 1, #ARGV, 2 do
  redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1])
  table.insert(tokens, redis.call('HGET', KEYS[1], ARGV[i]))
end
return tokens
`;

/**
 * Download links in emails. Presigned S3 URLs live at most 7 days and can be ~1,300 characters
 * (some mail servers break lines past 998), so with PUBLIC_BASE_URL set, emails carry short links
 * to `/d/:token` instead: an unguessable token bound to one object of one request, which answers
 * with a URL presigned at click time. One token per object, reused by every email of the request.
 */
export function createDownloadLinks(options: DownloadLinksOptions): DownloadLinks {
  const { redis, keys } = options;
  const pageToken = defineScript(redis, 'thawPageToken', PAGE_TOKEN_LUA, 1);
  const downloadTokens = defineScript(redis, 'thawDownloadTokens', DOWNLOAD_TOKENS_LUA, 1);
  const pageTokenTemplate = JSON.stringify(keyTemplate(keys.pageToken));

  function remainingSeconds(request: RestoreRequest, index: number, now: number): number | null {
    const expiry = request.objectStates[index]?.restoreExpiryTime;
    if (!expiry) return options.linkTtlSeconds;
    const seconds = Math.floor((Date.parse(expiry) - now) / 1000);
    return seconds > 0 ? Math.min(options.linkTtlSeconds, seconds) : null;
  }

  async function presignNow(request: RestoreRequest, index: number, now: number): Promise<string | null> {
    const object = request.objects[index];
    const seconds = remainingSeconds(request, index, now);
    if (!object || seconds === null) return null;
    return options.presign(object, seconds);
  }

  async function tokensFor(
    request: RestoreRequest,
    indexes: readonly number[],
    now: number,
  ): Promise<EmailLinks> {
    const proposals = indexes.flatMap((index) => [`dl:${index}`, randomBytes(24).toString('base64url')]);
    const tokens = (await downloadTokens([keys.request(request.id)], proposals)) as string[];
    const store = redis.pipeline();
    const urls = new Map<number, string>();
    let expiresAt: number | null = null;
    indexes.forEach((index, position) => {
      const token = tokens[position];
      if (!token) return;
      const expiry = request.objectStates[index]?.restoreExpiryTime;
      // A click after the copy expired should still find a clear page for a while, not a 404.
      const until = expiry ? Date.parse(expiry) + 86400_000 : now + options.retentionMs;
      store.set(keys.downloadToken(token), `${request.id}|${index}`, 'PXAT', until);
      urls.set(index, `${options.publicBaseUrl!.replace(/\/$/, '')}/d/${token}`);
      const linkEnd = expiry ? Date.parse(expiry) : now + options.retentionMs;
      expiresAt = expiresAt === null ? linkEnd : Math.min(expiresAt, linkEnd);
    });
    await store.exec();
    return { urls, expiresAt: expiresAt === null ? null : new Date(expiresAt) };
  }

  return {
    async linksFor(request, indexes, now) {
      if (options.publicBaseUrl) return tokensFor(request, indexes, now);
      const urls = new Map<number, string>();
      let shortest: number | null = null;
      for (const index of indexes) {
        const seconds = remainingSeconds(request, index, now);
        const url = await presignNow(request, index, now);
        if (url === null || seconds === null) continue;
        urls.set(index, url);
        shortest = shortest === null ? seconds : Math.min(shortest, seconds);
      }
      return { urls, expiresAt: shortest === null ? null : new Date(now + shortest * 1000) };
    },

    async resolve(token) {
      if (!TOKEN_PATTERN.test(token)) return null;
      const value = await redis.get(keys.downloadToken(token));
      if (!value) return null;
      const [requestId, index] = value.split('|');
      return requestId && index !== undefined ? { requestId, objectIndex: Number(index) } : null;
    },

    presignNow,

    async statusPageUrl(request) {
      if (!options.publicBaseUrl) return undefined;
      // One step: keep the request's page token (or this new one), and index it. The page lives as
      // long as the request record can (its retention safety net).
      const token = (await pageToken(
        [keys.request(request.id)],
        [
          randomBytes(24).toString('base64url'),
          pageTokenTemplate,
          request.id,
          options.retentionMs + 400 * 86400_000,
        ],
      )) as string | null;
      return token ? `${options.publicBaseUrl.replace(/\/$/, '')}/r/${token}` : undefined;
    },

    async resolvePage(token) {
      if (!TOKEN_PATTERN.test(token)) return null;
      return redis.get(keys.pageToken(token));
    },
  };
}
