import { useBrowser, seriousViolations } from '../support/browser';
import { useGraph } from '../support/graph';

/** `GET /graphql` in a browser: a GraphQL explorer bundled with the platform, working offline. */
// A real browser under a shared CPU: page loads take seconds, not milliseconds.
jest.setTimeout(90_000);

describe('GraphQL explorer', () => {
  const { graph } = useGraph();
  const origin = () => new URL(graph().url).origin;
  const browser = useBrowser(origin);

  it('opens from GET /graphql, runs a query and loads nothing from outside', async () => {
    const page = await browser.open();
    await page.goto(`${origin()}/graphql`);
    // Run only once the editor holds the default query (Monaco loads after the page).
    await page.locator('.graphiql-query-editor').getByText('programTerms', { exact: true }).waitFor();
    await page.getByRole('button', { name: /execute query/i }).click();
    await page.getByText('"pointsValidity"').waitFor();
    expect(browser.foreignRequests()).toEqual([]);
    // GraphiQL's tab bar nests its close button inside the tab (upstream markup, not ours).
    expect(await seriousViolations(page, ['nested-interactive'])).toEqual([]);
  });

  it('still answers GraphQL over GET and POST on the same path', async () => {
    const res = await fetch(graph().url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ programTerms { pointsValidity } }' }),
    });
    expect((await res.json()) as unknown).toMatchObject({ data: { programTerms: {} } });
  });
});
