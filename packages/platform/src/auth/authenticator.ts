import { decodeProtectedHeader } from 'jose';
import type { PlatformConfig } from '../config';
import { UnauthenticatedError } from '../errors/errors';
import { TokenService } from './jwt';
import { OidcVerifier } from './oidc';
import type { Principal } from './principal';

/**
 * Resolves an opaque bearer secret (not a JWT), such as a partner API key. Returns null when the
 * secret is not one of its kind, so that the next resolver, then JWT verification, is tried;
 * throws UNAUTHENTICATED for one of its kind that is refused (revoked).
 */
export interface BearerResolver {
  resolve(secret: string): Promise<Principal | null>;
}

/**
 * Who is calling, from an `Authorization` header: the one place every entry point (gateway
 * HTTP, graphql-ws `connection_init`, each subgraph) turns a header into a principal. Bearer
 * resolvers are asked first; then the platform's own tokens, or, for a key id the platform does
 * not know, the operator's OpenID Connect provider when one is configured.
 */
export class Authenticator {
  private readonly resolvers: BearerResolver[];

  constructor(
    readonly tokens: TokenService,
    private readonly oidc: OidcVerifier | null = null,
    resolvers: readonly BearerResolver[] = [],
  ) {
    this.resolvers = [...resolvers];
  }

  /** The platform's keys and the configured provider, with any resolvers given. */
  static fromConfig(
    config: PlatformConfig,
    tokens: TokenService = TokenService.fromConfig(config),
    resolvers: readonly BearerResolver[] = [],
  ): Authenticator {
    return new Authenticator(tokens, OidcVerifier.fromConfig(config), resolvers);
  }

  /** Adds a resolver for opaque bearer secrets (tried in the order added, before JWTs). */
  use(resolver: BearerResolver): this {
    this.resolvers.push(resolver);
    return this;
  }

  /**
   * Reads `Authorization: Bearer …`: null when absent (anonymous); throws UNAUTHENTICATED when
   * malformed or refused.
   */
  async authenticate(header: string | undefined | null): Promise<Principal | null> {
    if (!header) return null;
    const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (!match) throw new UnauthenticatedError('Authorization header must be "Bearer <token>"');
    const secret = match[1];
    for (const resolver of this.resolvers) {
      const principal = await resolver.resolve(secret);
      if (principal) return principal;
    }
    return this.verifyToken(secret);
  }

  /** Verifies a JWT: the platform's own by its key id, else the provider's. */
  async verifyToken(token: string): Promise<Principal> {
    if (this.oidc) {
      let kid: string | undefined;
      try {
        kid = decodeProtectedHeader(token).kid;
      } catch {
        throw new UnauthenticatedError('Malformed token');
      }
      if (!this.tokens.knows(kid)) return this.oidc.verify(token);
    }
    return this.tokens.verify(token);
  }
}
