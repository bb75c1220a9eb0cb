import type { IncomingHttpHeaders } from 'node:http';
import {
  GraphQLError,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import type { Authenticator } from '../auth/authenticator';
import type { Principal } from '../auth/principal';
import { ErrorCode } from '../errors/error-code';
import { AppError, ForbiddenError, UnauthenticatedError } from '../errors/errors';
import type { GraphqlLimits } from './limits';

/**
 * The header in which the gateway vouches for a request it forwards (a service token of its own),
 * next to the caller's own `Authorization`, which subgraphs still verify and authorise.
 */
export const GATEWAY_AUTHORIZATION_HEADER = 'x-gateway-authorization';

/**
 * Root fields a subgraph answers only to the gateway and to services: the federation entry points
 * (`_entities` resolves any entity by id, `_service` prints the whole subgraph schema with its
 * internal mutations) and introspection.
 */
export const INTERNAL_ROOT_FIELDS: ReadonlySet<string> = new Set([
  '_entities',
  '_service',
  '__schema',
  '__type',
]);

/** Who sent a request to a subgraph. */
export interface SubgraphCaller {
  /** The caller's own identity (`Authorization`), which every resolver authorises. */
  principal: Principal | null;
  /** Sent by the gateway or by another service, which enforce the graph's limits themselves. */
  internal: boolean;
}

const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/**
 * Reads the caller's token and whether the request is internal: a service token in `Authorization`
 * (a service calling another) or in {@link GATEWAY_AUTHORIZATION_HEADER} (the gateway forwarding a
 * client). Throws UNAUTHENTICATED for a bad token in either header.
 */
export async function identifySubgraphCaller(
  authenticator: Authenticator,
  headers: IncomingHttpHeaders,
): Promise<SubgraphCaller> {
  const principal = await authenticator.authenticate(single(headers.authorization));
  const gateway = await authenticator.authenticate(single(headers[GATEWAY_AUTHORIZATION_HEADER]));
  if (gateway && gateway.role !== 'service') {
    throw new UnauthenticatedError(`${GATEWAY_AUTHORIZATION_HEADER} must carry a service token`);
  }
  return { principal, internal: gateway !== null || principal?.role === 'service' };
}

/** Root field names an operation asks for, through fragments (each fragment visited once). */
function rootFieldNames(document: DocumentNode): Set<string> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions)
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const names = new Set<string>();
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode) => {
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) names.add(s.name.value);
      else if (s.kind === Kind.INLINE_FRAGMENT) walk(s.selectionSet);
      else if (!seen.has(s.name.value)) {
        seen.add(s.name.value);
        const fragment = fragments.get(s.name.value);
        if (fragment) walk(fragment.selectionSet);
      }
    }
  };
  for (const d of document.definitions) if (d.kind === Kind.OPERATION_DEFINITION) walk(d.selectionSet);
  return names;
}

/** A refusal with the HTTP status it is answered with. */
export interface DoorRefusal {
  status: number;
  error: AppError;
}

/**
 * What a subgraph checks before Apollo Server parses and validates a request from outside (neither
 * the gateway nor a service): the graph's limits (tokens while parsing, then depth, aliases,
 * directives and cost — cheap rules that run before graphql-js's own validation, some of which is
 * quadratic in the document's size), and no internal root fields. Internal requests pass: the
 * gateway has checked its client's request, and a service sends only its own typed operations.
 */
export function checkSubgraphRequest(
  schema: GraphQLSchema,
  limits: GraphqlLimits,
  caller: SubgraphCaller,
  query: unknown,
): DoorRefusal | null {
  if (caller.internal || typeof query !== 'string') return null;
  let document: DocumentNode;
  try {
    document = parse(query, limits.parseOptions);
  } catch (error) {
    const message = error instanceof GraphQLError ? error.message : 'Syntax Error';
    return { status: 400, error: new AppError(ErrorCode.BAD_USER_INPUT, message) };
  }
  const errors = validate(schema, document, limits.validationRules);
  if (errors.length > 0) {
    return { status: 400, error: new AppError(ErrorCode.BAD_USER_INPUT, errors[0].message) };
  }
  const internal = [...rootFieldNames(document)].filter((name) => INTERNAL_ROOT_FIELDS.has(name));
  if (internal.length > 0) {
    const message = `${internal.join(', ')}: answered only to the gateway and to services`;
    return caller.principal
      ? { status: 403, error: new ForbiddenError(message) }
      : { status: 401, error: new UnauthenticatedError(message) };
  }
  return null;
}
