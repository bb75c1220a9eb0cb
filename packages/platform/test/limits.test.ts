import { ApolloServer } from '@apollo/server';
import {
  getOperationAST,
  GraphQLInt,
  GraphQLList,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
} from 'graphql';
import {
  createLogger,
  createErrorFormatter,
  executionTimeout,
  graphqlLimits,
  GRAPHQL_LIMITS,
  loadConfig,
  operationLabel,
} from '@loyalty/platform';

const Slow = new GraphQLObjectType({
  name: 'Slow',
  fields: {
    n: { type: GraphQLInt },
    next: {
      type: GraphQLInt,
      resolve: async (source: { n: number }) => {
        await new Promise((r) => setTimeout(r, 30));
        return source.n;
      },
    },
  },
});

const slowList = async () => {
  await new Promise((r) => setTimeout(r, 300));
  return [{ n: 1 }, { n: 2 }];
};

const schema = new GraphQLSchema({
  mutation: new GraphQLObjectType({
    name: 'Mutation',
    fields: { slowWrite: { type: new GraphQLList(Slow), resolve: slowList } },
  }),
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      hello: { type: GraphQLString, resolve: () => 'hi' },
      slow: {
        type: new GraphQLList(Slow),
        resolve: async () => {
          await new Promise((r) => setTimeout(r, 300));
          return [{ n: 1 }, { n: 2 }];
        },
      },
    },
  }),
});

const server = (timeoutMs: number) => {
  const limits = graphqlLimits(false);
  return new ApolloServer({
    schema,
    parseOptions: limits.parseOptions,
    validationRules: limits.validationRules,
    formatError: createErrorFormatter(createLogger('test', 'silent')),
    plugins: [...limits.plugins, executionTimeout(timeoutMs)],
  });
};

describe('GraphQL limits shared by the gateway and the subgraphs', () => {
  it('stops an operation that outlives the execution timeout', async () => {
    const apollo = server(100);
    await apollo.start();
    const res = await apollo.executeOperation({ query: '{ slow { n next } }' });
    const body = res.body.kind === 'single' ? res.body.singleResult : null;
    expect(body?.errors?.map((e) => e.extensions?.code)).toContain('SERVICE_UNAVAILABLE');
    expect((body?.data?.slow as { next: number | null }[] | undefined)?.every((s) => s.next === null)).toBe(
      true,
    );

    // A mutation that has written reports it, however long it took.
    const write = await apollo.executeOperation({ query: 'mutation { slowWrite { n next } }' });
    expect(write.body.kind === 'single' && write.body.singleResult.errors).toBeFalsy();

    await apollo.stop();
    const patient = server(30_000);
    await patient.start();
    const ok = await patient.executeOperation({ query: '{ slow { n next } }' });
    await patient.stop();
    expect(ok.body.kind === 'single' && ok.body.singleResult.errors).toBeFalsy();
  });

  it('answers unknown operation names and the token limit with 400 BAD_USER_INPUT', async () => {
    const apollo = server(5_000);
    await apollo.start();
    const unknown = await apollo.executeOperation({ query: 'query A { hello }', operationName: 'B' });
    const tokens = await apollo.executeOperation({
      query: `{ ${Array.from({ length: GRAPHQL_LIMITS.tokens + 1 }, () => 'hello').join(' ')} }`,
    });
    await apollo.stop();
    for (const res of [unknown, tokens]) {
      expect(res.http.status).toBe(400);
      expect(res.body.kind === 'single' && res.body.singleResult.errors?.[0].extensions?.code).toBe(
        'BAD_USER_INPUT',
      );
    }
  });

  it('labels metrics by the first root field, never by the client-chosen operation name', () => {
    const label = (q: string) => operationLabel(getOperationAST(parse(q)));
    expect(label('query AnythingAtAll { hello }')).toBe('hello');
    expect(label('query X { ...F } fragment F on Query { hello }')).toBe('other');
    expect(operationLabel(undefined)).toBe('other');
  });

  it('binds subgraphs to loopback by default, the gateway to every interface', () => {
    const c = loadConfig({}, {});
    expect(c.env.SUBGRAPH_HOST).toBe('127.0.0.1');
    expect(c.env.HOST).toBe('0.0.0.0');
    expect(c.env.METRICS_TOKEN).toBeUndefined();
  });
});
