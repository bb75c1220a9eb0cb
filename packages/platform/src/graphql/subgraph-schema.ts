import { defaultFieldResolver, isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import gql from 'graphql-tag';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { buildSchema, createResolversMap, type NonEmptyArray } from 'type-graphql';
import { authChecker } from '../auth/auth-checker';
import { scalarsMap } from './scalars';
import { validateArgument } from './validate-argument';

const FEDERATION_LINK =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ' +
  '["@key", "@shareable", "@inaccessible", "@external", "@requires", "@provides", "@override", "@tag"])';

/**
 * Apollo Server's cache hints (`@cacheControl`), for a subgraph whose answers may be reused:
 * `inheritMaxAge` on a type lets a root field's dynamic hint (`info.cacheControl.setCacheHint`)
 * cover what it returns. Without a scope argument every cacheable answer is public, so a field
 * that depends on the caller must never be under a hinted root. Local to the subgraph: composition
 * keeps it out of the public graph.
 */
const CACHE_CONTROL_DIRECTIVE =
  'directive @cacheControl(maxAge: Int, inheritMaxAge: Boolean) on FIELD_DEFINITION | OBJECT | INTERFACE | UNION';

/**
 * An entity's `__resolveReference`: the representation the gateway sends (key fields as
 * strings) and the service's own request context.
 */
export type ReferenceResolver<Ctx> = (reference: { id: string }, context: Ctx) => unknown;

/** `__resolveReference` per entity type name. */
export type ReferenceResolvers<Ctx> = Record<string, ReferenceResolver<Ctx>>;

/**
 * Object-level read check of one entity type: throws (UNAUTHENTICATED, FORBIDDEN) or answers
 * whether the caller may see the row at all (false: answered as if it did not exist).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each entry reads its own row type
export type EntityReadCheck<Ctx> = (context: Ctx, row: any) => boolean | Promise<boolean>;

/** Anyone may read every row of the type (e.g. the merchant directory). */
export const PUBLIC_ENTITY = 'public';

/**
 * The subgraph only extends the type: a reference is just its id, and each of the subgraph's
 * fields of it checks access for that member itself.
 */
export const CHECKED_BY_FIELDS = 'checked by its fields';

/**
 * Who may read which entity, per type: a service's declarative policy (in its `src/policy.ts`),
 * applied to every row a `__resolveReference` returns and asked by the service's own queries by id.
 */
export type EntityPolicy<Ctx> = Record<
  string,
  EntityReadCheck<Ctx> | typeof PUBLIC_ENTITY | typeof CHECKED_BY_FIELDS
>;

/**
 * Field-level read check of one type, run before each of its fields resolves (whatever reached
 * the object: a query, a reference): throws to refuse that field.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each entry reads its own row type
export type FieldReadCheck<Ctx> = (context: Ctx, row: any, field: string) => void;

/** Whether the caller may see `row` of `typeName` under `policy` (throws when refused outright). */
export async function canReadEntity<Ctx>(
  policy: EntityPolicy<Ctx>,
  typeName: string,
  context: Ctx,
  row: unknown,
): Promise<boolean> {
  const check = policy[typeName];
  if (check === undefined) throw new Error(`no read policy for entity ${typeName}`);
  return typeof check === 'function' ? check(context, row) : true;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the context type is the service's own
export interface SubgraphSchemaSpec<Ctx = any> {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  resolvers: NonEmptyArray<Function>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  orphanedTypes?: Function[];
  references?: ReferenceResolvers<Ctx>;
  /** Read access per entity type: every type in `references` needs an entry. */
  entityPolicy: EntityPolicy<Ctx>;
  /** Read access per field, for types some callers may see only in part. */
  fieldPolicy?: Record<string, FieldReadCheck<Ctx>>;
}

/** The built subgraph schema and its SDL (composition reads the SDL). */
export interface SubgraphSchema {
  schema: GraphQLSchema;
  sdl: string;
  /** The schema carries `@cacheControl` hints: its server computes cache policies (a cost per field). */
  cacheHints: boolean;
}

/**
 * type-graphql classes → a Federation 2 subgraph schema. type-graphql does not know
 * federation, so the schema is printed with its directives, linked to the federation spec and
 * rebuilt by `@apollo/subgraph`, with type-graphql's resolvers and the reference resolvers merged
 * in one map (resolvers added afterwards would be lost).
 */
export async function buildSubgraph(spec: SubgraphSchemaSpec): Promise<SubgraphSchema> {
  const typeGraphqlSchema = await buildSchema({
    resolvers: spec.resolvers,
    orphanedTypes: spec.orphanedTypes,
    authChecker,
    scalarsMap,
    skipCheck: true,
    validateFn: validateArgument,
  });
  const printed = printSchemaWithDirectives(typeGraphqlSchema);
  const cacheHints = printed.includes('@cacheControl');
  const sdl = `${FEDERATION_LINK}\n\n${cacheHints ? `${CACHE_CONTROL_DIRECTIVE}\n\n` : ''}${printed}`;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const resolvers = createResolversMap(typeGraphqlSchema) as Record<string, any>;
  for (const [typeName, resolveReference] of Object.entries(spec.references ?? {})) {
    if (!(typeName in spec.entityPolicy)) {
      throw new Error(`Entity ${typeName} has a reference resolver but no read policy`);
    }
    // Every id the gateway sends is checked here, however the reference resolver is written.
    const guarded: ReferenceResolver<unknown> = async (reference, context) => {
      const row = await resolveReference(reference, context);
      if (row === null || row === undefined) return null;
      return (await canReadEntity(spec.entityPolicy, typeName, context, row)) ? row : null;
    };
    resolvers[typeName] = { ...resolvers[typeName], __resolveReference: guarded };
  }
  for (const [typeName, check] of Object.entries(spec.fieldPolicy ?? {})) {
    const type = typeGraphqlSchema.getType(typeName);
    if (!isObjectType(type)) throw new Error(`Field policy for unknown type ${typeName}`);
    const own = (resolvers[typeName] ?? {}) as Record<string, unknown>;
    const guardedFields: Record<string, unknown> = { ...own };
    for (const field of Object.keys(type.getFields())) {
      const configured = own[field] as
        | GraphQLFieldResolver<unknown, unknown>
        | { resolve?: GraphQLFieldResolver<unknown, unknown> }
        | undefined;
      const resolve =
        typeof configured === 'function' ? configured : (configured?.resolve ?? defaultFieldResolver);
      guardedFields[field] = (
        root: unknown,
        args: Record<string, unknown>,
        context: unknown,
        info: Parameters<GraphQLFieldResolver<unknown, unknown>>[3],
      ) => {
        check(context, root, field);
        return resolve(root, args, context, info);
      };
    }
    resolvers[typeName] = guardedFields;
  }
  const schema = buildSubgraphSchema({ typeDefs: gql(sdl), resolvers });
  return { schema, sdl, cacheHints };
}
