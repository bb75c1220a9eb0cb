import { ApolloServer } from '@apollo/server';
import { rejectControlCharacters } from '../src/graphql/input-rules';

const typeDefs = 'type Query { echo(text: String): String }';
const resolvers = { Query: { echo: (_: unknown, { text }: { text?: string }) => text ?? null } };

/** The code of the first error of one request, or the answer's data. */
async function ask(server: ApolloServer, query: string, variables?: Record<string, unknown>) {
  const res = await server.executeOperation({ query, variables }, { contextValue: {} });
  if (res.body.kind !== 'single') throw new Error('one answer expected');
  const { data, errors } = res.body.singleResult;
  return errors ? { code: errors[0].extensions?.code } : { data };
}

describe('rejectControlCharacters', () => {
  const server = new ApolloServer({ typeDefs, resolvers, plugins: [rejectControlCharacters()] });
  beforeAll(() => server.start());
  afterAll(() => server.stop());

  it('refuses a control character in a literal every time the same query text comes', async () => {
    // The second request gets the cached document, and the verdict remembered for it.
    for (let i = 0; i < 2; i++)
      expect(await ask(server, '{ echo(text: "A\\u0000B") }')).toEqual({ code: 'BAD_USER_INPUT' });
  });

  it('checks variables on every request, whatever was remembered of the query text', async () => {
    const query = 'query($t: String) { echo(text: $t) }';
    expect(await ask(server, query, { t: 'fine' })).toEqual({ data: { echo: 'fine' } });
    expect(await ask(server, query, { t: '\u001b[2J' })).toEqual({ code: 'BAD_USER_INPUT' });
    expect(await ask(server, query, { t: 'fine again' })).toEqual({ data: { echo: 'fine again' } });
    expect(await ask(server, '{ echo(text: "line\\nbreak") }')).toEqual({ data: { echo: 'line\nbreak' } });
  });
});
