import type { GraphQLSchema } from 'graphql';
import gql from 'graphql-tag';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { buildSchema, createResolversMap, type NonEmptyArray } from 'type-graphql';
import { authChecker } from '../auth/auth-checker';
import { scalarsMap } from './scalars';

const FEDERATION_LINK =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ' +
  '["@key", "@shareable", "@inaccessible", "@external", "@requires", "@provides", "@override", "@tag"])';

/**
 * An entity's `__resolveReference`: the representation the gateway sends (key fields as
 * strings) and the service's own request context.
 */
export type ReferenceResolver<Ctx> = (reference: { id: string }, context: Ctx) => unknown;

/** `__resolveReference` per entity type name. */
export type ReferenceResolvers<Ctx> = Record<string, ReferenceResolver<Ctx>>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the context type is the service's own
export interface SubgraphSchemaSpec<Ctx = any> {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  resolvers: NonEmptyArray<Function>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  orphanedTypes?: Function[];
  references?: ReferenceResolvers<Ctx>;
}

/** The built subgraph schema and its SDL (composition reads the SDL). */
export interface SubgraphSchema {
  schema: GraphQLSchema;
  sdl: string;
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
    validate: { forbidUnknownValues: false, whitelist: false },
  });
  const sdl = `${FEDERATION_LINK}\n\n${printSchemaWithDirectives(typeGraphqlSchema)}`;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const resolvers = createResolversMap(typeGraphqlSchema) as Record<string, any>;
  for (const [typeName, resolveReference] of Object.entries(spec.references ?? {})) {
    resolvers[typeName] = { ...resolvers[typeName], __resolveReference: resolveReference };
  }
  const schema = buildSubgraphSchema({ typeDefs: gql(sdl), resolvers });
  return { schema, sdl };
}
