import type { z } from 'zod';
import { errorView } from './restore-schemas';

/**
 * Every answer a `/v1` route documents, with the description and headers users' tools read in
 * the OpenAPI description. fastify's content-type form (`{description, content}`) is used so the
 * description reaches the document instead of "Default Response"; fastify-type-provider-zod drops
 * `headers`, which `registerOpenApi` puts back (see openapi.ts).
 */
export interface DocumentedHeader {
  readonly type: 'string' | 'integer';
  readonly description: string;
}

export interface DocumentedResponse<T extends z.ZodType> {
  readonly description: string;
  readonly content: { readonly 'application/json': { readonly schema: T } };
  readonly headers?: Readonly<Record<string, DocumentedHeader>>;
}

export function answer<T extends z.ZodType>(
  schema: T,
  description: string,
  headers?: Readonly<Record<string, DocumentedHeader>>,
): DocumentedResponse<T> {
  return { description, content: { 'application/json': { schema } }, ...(headers ? { headers } : {}) };
}

/** An error answer: the published `{"error": {"code", "message"}}`; the description names the codes. */
export const failure = (description: string, headers?: Readonly<Record<string, DocumentedHeader>>) =>
  answer(errorView, description, headers);

/** Answers every `/v1` operation may give, whatever it does. */
export const everyOperation = {
  401: failure('`unauthorized`: the `Authorization: Bearer <token>` header is missing or wrong.', {
    'WWW-Authenticate': { type: 'string', description: 'Always `Bearer`.' },
  }),
  429: failure('`rate_limited`: more requests this minute than RATE_LIMIT_PER_MINUTE allows.', {
    'Retry-After': { type: 'integer', description: 'Seconds until a request will be accepted again.' },
  }),
  500: failure("`internal_error`: an unexpected failure; details are in thaw's log only."),
  503: failure('thaw cannot answer now (it is shutting down, or a dependency does not answer); retry later.'),
} as const;

/**
 * Answers of an operation that takes no body (DELETE): fastify still reads one if it is sent,
 * and refuses it as it would on any route.
 */
export const unwantedBody = {
  400: failure('`invalid_body`: a body was sent that is not valid JSON (this operation takes none).'),
  413: failure('`body_too_large`: a body over 1 MiB was sent (this operation takes none).'),
  415: failure('`unsupported_media_type`: a body that is not JSON was sent (this operation takes none).'),
} as const;
