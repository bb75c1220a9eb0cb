import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import './explorer.css';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { graphqlHttpUrl, graphqlWsUrl } from '../shared/endpoint';

// GraphiQL, bundled: the explorer Apollo's landing page would load from a CDN works offline here.
// Subscriptions go over graphql-ws on the same path.
const fetcher = createGraphiQLFetcher({ url: graphqlHttpUrl(), subscriptionUrl: graphqlWsUrl() });

// No comment lines in the default query: the editor's comment colour is below WCAG contrast.
// Tokens go in the Headers tab: {"authorization": "Bearer <token>"}.
const DEFAULT_QUERY = `query ProgramTerms {
  programTerms {
    pointsValidity
    expiryWarningDays
    rules
  }
}
`;

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <div style={{ height: '100vh' }}>
      <GraphiQL fetcher={fetcher} defaultQuery={DEFAULT_QUERY}>
        <GraphiQL.Logo>Loyalty graph</GraphiQL.Logo>
      </GraphiQL>
    </div>
  </StrictMode>,
);
