import type { ApolloServerPlugin } from '@apollo/server';
import type { MembersContext } from '../context';

/** The response extension the gateway reads (gateway/src/member-grants.ts); never sent to clients. */
export const MEMBER_GRANTS_EXTENSION = 'memberGrants';

/**
 * Hands the gateway the member tokens this request minted for its anonymous caller (a sign-up,
 * a sign-in): the gateway uses each one only for the same operation's reads of that member in
 * other subgraphs (`registerMember { balance }`, `signIn { member { balance } }`), and drops
 * the extension before answering. See the members README, "Sign-up and sign-in through the
 * gateway".
 */
export const memberGrantsPlugin: ApolloServerPlugin<MembersContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ contextValue, response }) {
        if (!contextValue.memberGrants?.size || response.body.kind !== 'single') return;
        const result = response.body.singleResult;
        result.extensions = {
          ...result.extensions,
          [MEMBER_GRANTS_EXTENSION]: [...contextValue.memberGrants].map(([memberId, token]) => ({
            memberId,
            token,
          })),
        };
      },
    };
  },
};
