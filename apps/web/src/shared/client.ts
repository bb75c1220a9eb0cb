import { Client, cacheExchange, fetchExchange, subscriptionExchange } from 'urql';
import { createClient as createWsClient } from 'graphql-ws';
import { graphqlHttpUrl, graphqlWsUrl } from './endpoint';

/**
 * One urql client per signed-in identity: queries and mutations over HTTP with the bearer token,
 * subscriptions over graphql-ws with the token in `connection_init`. A new token makes a new
 * client (and a new socket), so nothing of the previous identity is reused.
 */
export function createGraphClient(token: string | null, language: string): Client {
  const ws = createWsClient({
    url: graphqlWsUrl(),
    lazy: true,
    retryAttempts: Infinity,
    connectionParams: () => (token ? { authorization: `Bearer ${token}` } : {}),
  });
  return new Client({
    url: graphqlHttpUrl(),
    requestPolicy: 'cache-and-network',
    // POST for every operation: urql would send queries as GET, which the gateway's CSRF
    // prevention refuses without a preflight-forcing header.
    preferGetMethod: false,
    fetchOptions: () => ({
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        'accept-language': language,
      },
    }),
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              const dispose = ws.subscribe(input, sink);
              return { unsubscribe: dispose };
            },
          };
        },
      }),
    ],
  });
}
