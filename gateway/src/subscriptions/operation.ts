import {
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  parse,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type OperationDefinitionNode,
  type ValidationRule,
} from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import type { Extra } from 'graphql-ws/use/ws';
import {
  AppError,
  BadInputError,
  ErrorCode,
  LimitReachedError,
  type Language,
  type Principal,
} from '@loyalty/platform';
import type { RealtimeSchema } from './schema';
import { compileSelection, type CompiledSelection } from './selection';
import { collectFields, fragmentsOf } from './selection-fields';
import type { Audience } from './resolver';
import { authorizeSubscription } from './subscription.policy';

/** What `onSubscribe` prepared for `subscribe`: the compiled selection and whose stream it is. */
export interface SubscriptionPlan {
  kind: 'subscription';
  selection: CompiledSelection;
  audience: Audience;
  memberId: string | null;
  afterSequence: number | null;
  socket: Extra['socket'];
}

/** A query or mutation sent over the socket: it runs with the connection's token. */
export interface OperationContext {
  kind: 'operation';
  authorization?: string;
  principal: Principal | null;
}

/** The authenticated connection an operation arrives on. */
export interface ConnectionScope {
  principal: Principal;
  authorization?: string;
  socket: Extra['socket'];
  /** Subscriptions the connection holds, this one included. */
  subscriptions: number;
  /** The connection's language (connection_init `acceptLanguage`, else the upgrade's Accept-Language). */
  language?: Language;
}

/** Normalizes an error's `extensions` for clients: a code from the contract's enum, no internals. */
export function publicError(e: GraphQLError): GraphQLError {
  const code =
    e instanceof AppError ? e.code : ((e.extensions?.code as string | undefined) ?? ErrorCode.BAD_USER_INPUT);
  return new GraphQLError(e.message, { nodes: e.nodes, extensions: { code } });
}

const asErrors = (error: unknown): GraphQLError[] => {
  if (error instanceof GraphQLError) return [error];
  return [
    new GraphQLError('Internal server error', { extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }),
  ];
};

/** Parses and validates with the same rules (depth, aliases, cost) as over HTTP. */
type Parsed = { document: DocumentNode } | { errors: readonly GraphQLError[] };

/**
 * Most clients subscribe with the same text: per gateway schema, identical operations share one
 * parsed and validated document and one compiled selection (CPU and memory per subscriber).
 */
const shared = new WeakMap<
  RealtimeSchema,
  { documents: Map<string, Parsed>; selections: Map<string, CompiledSelection> }
>();
const SHARED_MAX = 1_000;

function sharedFor(realtime: RealtimeSchema) {
  let entry = shared.get(realtime);
  if (!entry) shared.set(realtime, (entry = { documents: new Map(), selections: new Map() }));
  return entry;
}

function remember<V>(map: Map<string, V>, key: string, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    if (map.size >= SHARED_MAX) map.clear();
    value = make();
    map.set(key, value);
  }
  return value;
}

function parseAndValidate(realtime: RealtimeSchema, query: string, rules: readonly ValidationRule[]): Parsed {
  return remember(sharedFor(realtime).documents, query, () => parseAndValidateOnce(realtime, query, rules));
}

function parseAndValidateOnce(
  realtime: RealtimeSchema,
  query: string,
  rules: readonly ValidationRule[],
): Parsed {
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (error) {
    return { errors: [publicError(error as GraphQLError)] };
  }
  const validationErrors = validate(realtime.schema, document, rules);
  if (validationErrors.length) return { errors: validationErrors.map(publicError) };
  return { document };
}

/** The channel, the caller's right to it and the compiled selection of one subscription. */
function planSubscription(
  realtime: RealtimeSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  rawVariables: Record<string, unknown>,
  connection: ConnectionScope,
  key: string,
): SubscriptionPlan {
  const schema = realtime.schema;
  const fragments = fragmentsOf(document);
  const [field] = collectFields(operation.selectionSet, fragments, variables);
  const channel = field && realtime.channels.get(field.name.value);
  const fieldDef = field && schema.getSubscriptionType()?.getFields()[field.name.value];
  if (!field || !channel || !fieldDef) throw new BadInputError('Unknown subscription field');
  const args = getArgumentValues(fieldDef, field, variables);
  const scope = authorizeSubscription(connection.principal, channel, args);
  // Shared by identical subscriptions in the same language (localized channels differ by it).
  const selection = remember(sharedFor(realtime).selections, `${connection.language}\u0000${key}`, () =>
    compileSelection(schema, channel, operation, field, fragments, rawVariables, connection.language),
  );
  return {
    kind: 'subscription',
    selection,
    socket: connection.socket,
    ...scope,
    // A self-contained selection shows a member only their own data: resolve it with
    // operator rights so events of many members share queries.
    audience: selection.selfContained ? { role: 'admin' } : scope.audience,
  };
}

/**
 * graphql-ws `onSubscribe`: validates the operation and prepares how it runs — queries and
 * mutations with the connection's token ({@link OperationContext}), subscriptions as a
 * {@link SubscriptionPlan}. Every refusal is a list of errors with a public code.
 */
export function prepareOperation(
  realtime: RealtimeSchema,
  rules: readonly ValidationRule[],
  maxSubscriptionsPerConnection: number,
  payload: SubscribePayload,
  connection: ConnectionScope,
): ExecutionArgs | readonly GraphQLError[] {
  try {
    const parsed = parseAndValidate(realtime, payload.query, rules);
    if ('errors' in parsed) return parsed.errors;
    const { document } = parsed;
    const operation = getOperationAST(document, payload.operationName);
    if (!operation) throw new BadInputError('Unable to identify the operation');
    const raw = payload.variables ?? {};
    const base = { schema: realtime.schema, document, operationName: payload.operationName };
    if (operation.operation !== 'subscription') {
      const { principal, authorization } = connection;
      const contextValue: OperationContext = { kind: 'operation', authorization, principal };
      return { ...base, variableValues: raw, contextValue };
    }
    if (connection.subscriptions > maxSubscriptionsPerConnection) {
      throw new LimitReachedError(`At most ${maxSubscriptionsPerConnection} subscriptions per connection`);
    }
    const coerced = getVariableValues(realtime.schema, operation.variableDefinitions ?? [], raw);
    if (coerced.errors) return coerced.errors.map(publicError);
    const key = [payload.query, payload.operationName ?? '', JSON.stringify(raw)].join('\u0000');
    const plan = planSubscription(realtime, document, operation, coerced.coerced, raw, connection, key);
    return { ...base, variableValues: coerced.coerced, contextValue: plan };
  } catch (error) {
    return asErrors(error).map(publicError);
  }
}
