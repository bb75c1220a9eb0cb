import 'reflect-metadata';
import { graphql } from 'graphql';
import { Directive, Field, ID, ObjectType, Query, Resolver } from 'type-graphql';
import {
  buildSubgraph,
  CHECKED_BY_FIELDS,
  ForbiddenError,
  PUBLIC_ENTITY,
  type Principal,
} from '@loyalty/platform';

@ObjectType()
@Directive('@key(fields: "id")')
class Thing {
  @Field(() => ID)
  id: string;

  @Field()
  owner: string;
}

@Resolver(() => Thing)
class ThingResolver {
  @Query(() => Thing, { nullable: true })
  thing(): Thing | null {
    return { id: 'bob-7', owner: 'bob' };
  }
}

type Ctx = { principal: Principal | null };
const things = (id: string) => ({ id, owner: id.split('-')[0] });
const ENTITIES = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Thing { id owner } } }';

describe('the entity read policy applied to every reference', () => {
  it('refuses to build a subgraph whose reference has no policy entry', async () => {
    await expect(
      buildSubgraph({
        resolvers: [ThingResolver],
        references: { Thing: (r) => things(r.id) },
        entityPolicy: {},
      }),
    ).rejects.toThrow(/Thing has a reference resolver but no read policy/);
  });

  it('checks every resolved row: refused, hidden or shown, whatever the reference resolver does', async () => {
    const { schema } = await buildSubgraph({
      resolvers: [ThingResolver],
      references: { Thing: (r: { id: string }) => things(r.id) },
      entityPolicy: {
        Thing: (ctx: Ctx, row: { owner: string }) => {
          if (row.owner === 'secret') return false;
          if (ctx.principal?.sub !== row.owner) throw new ForbiddenError();
          return true;
        },
      },
    });
    const run = (ids: string[], sub: string) =>
      graphql({
        schema,
        source: ENTITIES,
        variableValues: { r: ids.map((id) => ({ __typename: 'Thing', id })) },
        contextValue: { principal: { role: 'member', sub } },
      });
    const res = await run(['alice-1', 'bob-1', 'secret-1'], 'alice');
    expect(res.data?._entities).toEqual([{ id: 'alice-1', owner: 'alice' }, null, null]);
    expect(res.errors?.map((e) => e.path)).toEqual([['_entities', 1]]);
  });

  it('lets public and field-checked types through', async () => {
    for (const policy of [PUBLIC_ENTITY, CHECKED_BY_FIELDS] as const) {
      const { schema } = await buildSubgraph({
        resolvers: [ThingResolver],
        references: { Thing: (r: { id: string }) => things(r.id) },
        entityPolicy: { Thing: policy },
      });
      const res = await graphql({
        schema,
        source: ENTITIES,
        variableValues: { r: [{ __typename: 'Thing', id: 'x-1' }] },
        contextValue: { principal: null },
      });
      expect(res.data?._entities).toEqual([{ id: 'x-1', owner: 'x' }]);
    }
  });

  it('checks every field of a type with a field policy, however the object was reached', async () => {
    const { schema } = await buildSubgraph({
      resolvers: [ThingResolver],
      references: { Thing: (r: { id: string }) => things(r.id) },
      entityPolicy: { Thing: PUBLIC_ENTITY },
      fieldPolicy: {
        Thing: (ctx: Ctx, row: { owner: string }, field: string) => {
          if (field !== 'id' && ctx.principal?.sub !== row.owner) throw new ForbiddenError(`not ${field}`);
        },
      },
    });
    const ask = (source: string, sub: string) =>
      graphql({
        schema,
        source,
        variableValues: { r: [{ __typename: 'Thing', id: 'bob-1' }] },
        contextValue: { principal: { role: 'member', sub } },
      });
    expect((await ask('{ thing { id owner } }', 'bob')).data).toEqual({
      thing: { id: 'bob-7', owner: 'bob' },
    });
    const byQuery = await ask('{ thing { id owner } }', 'alice');
    expect(byQuery.errors?.map((e) => e.message)).toEqual(['not owner']);
    expect((await ask('{ thing { id } }', 'alice')).data).toEqual({ thing: { id: 'bob-7' } });
    const byReference = await ask(ENTITIES, 'alice');
    expect(byReference.errors?.map((e) => e.message)).toEqual(['not owner']);
  });
});
