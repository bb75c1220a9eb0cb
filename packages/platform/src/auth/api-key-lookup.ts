import { parse } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { ServiceClient } from '../service/service-client';
import type { ApiKeyLookup } from './api-key';

interface LookupResult {
  partnerApiKeyPrincipal: { keyId: string; merchantId: string } | null;
}

/**
 * The members service's internal query for a live key (`@inaccessible`, service tokens only).
 * Written here rather than generated: the platform cannot own a service's peer folder, and the
 * whole-graph tests exercise it against the real members schema on every subgraph.
 */
const PartnerApiKeyPrincipalDocument = parse(/* GraphQL */ `
  query PartnerApiKeyPrincipal($secretHash: String!) {
    partnerApiKeyPrincipal(secretHash: $secretHash) {
      keyId
      merchantId
    }
  }
`) as TypedDocumentNode<LookupResult, { secretHash: string }>;

/**
 * Asks the members service (which owns the keys) for a key by its secret hash. Not retried much:
 * a caller is waiting, and a members outage surfaces as SERVICE_UNAVAILABLE.
 */
export function remoteApiKeyLookup(members: Pick<ServiceClient, 'execute'>): ApiKeyLookup {
  return async (secretHash) => {
    const result = await members.execute(PartnerApiKeyPrincipalDocument, { secretHash }, { retries: 1 });
    return result.partnerApiKeyPrincipal;
  };
}
