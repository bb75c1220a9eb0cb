import retry from 'async-retry';
import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { Logger } from 'pino';
import type { ServiceName } from '../config';
import type { TokenService } from '../auth/jwt';
import { AppError, ServiceUnavailableError } from '../errors/errors';
import { ErrorCode, isErrorCode } from '../errors/error-code';
import { postJson } from '../http/post-json';
import type { PeerDirectory } from './peers';

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

class TransientError extends Error {}

const parse = <T>(text: string): GraphQLResponse<T> => {
  try {
    return JSON.parse(text) as GraphQLResponse<T>;
  } catch {
    return {};
  }
};

/** Printed once per document: the same operation is sent many times. */
const printed = new WeakMap<object, string>();

/**
 * Calls another subgraph's (internal) GraphQL API as this service, over HTTP or, when it runs in
 * this process, its local link ({@link PeerDirectory.local}). Internal mutations are
 * idempotent by key, so transport failures and 5xx answers are retried with backoff; errors the
 * other service meant (NOT_FOUND, INSUFFICIENT_POINTS…) are rethrown with their code.
 */
export class ServiceClient {
  constructor(
    private readonly target: ServiceName,
    private readonly caller: string,
    private readonly peers: PeerDirectory,
    private readonly tokens: TokenService,
    private readonly logger: Logger,
    private readonly retries = 3,
  ) {}

  /**
   * Sends one operation generated from `src/peers/<peer>.graphql` (see `pnpm compose`): the
   * variables and the answer are typed by the peer's schema.
   */
  async execute<Result, Variables extends Record<string, unknown>>(
    document: TypedDocumentNode<Result, Variables>,
    variables: Variables,
    options: { retries?: number } = {},
  ): Promise<Result> {
    let query = printed.get(document);
    if (query === undefined) {
      query = print(document);
      printed.set(document, query);
    }
    return this.request<Result>(query, variables, options);
  }

  /** Sends a printed operation: only typed documents reach it (see {@link execute}). */
  private async request<T>(
    query: string,
    variables: Record<string, unknown> = {},
    options: { retries?: number } = {},
  ): Promise<T> {
    try {
      return await retry(
        async (bail) => {
          let response: { status: number; text: string };
          const token = await this.tokens.signService(this.caller);
          const body = JSON.stringify({ query, variables });
          const local = this.peers.local(this.target);
          try {
            response = local
              ? await local({
                  headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
                  body,
                }).then((a) => ({ status: a.status, text: a.body }))
              : await postJson(this.peers.url(this.target), body, token);
          } catch (error) {
            throw new TransientError(`${this.target} unreachable: ${(error as Error).message}`);
          }
          if (response.status >= 500 && response.status !== 500)
            throw new TransientError(`${this.target} answered ${response.status}`);
          const answer = parse<T>(response.text);
          const first = answer.errors?.[0];
          if (first) {
            const code = first.extensions?.code;
            if (code === ErrorCode.SERVICE_UNAVAILABLE) throw new TransientError(first.message);
            bail(new AppError(isErrorCode(code) ? code : ErrorCode.INTERNAL_SERVER_ERROR, first.message));
            return undefined as never;
          }
          if (!answer.data) throw new TransientError(`${this.target} answered without data`);
          return answer.data;
        },
        { retries: options.retries ?? this.retries, minTimeout: 50, maxTimeout: 1000 },
      );
    } catch (error) {
      if (error instanceof TransientError) {
        this.logger.warn({ target: this.target, err: error }, 'internal call failed');
        throw new ServiceUnavailableError(`The ${this.target} service is unavailable; try again`);
      }
      throw error;
    }
  }
}
