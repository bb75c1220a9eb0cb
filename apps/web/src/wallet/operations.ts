import { graphql } from '../gql';

export const RequestSignInCode = graphql(`
  mutation RequestSignInCode($phone: String, $email: String) {
    requestSignInCode(phone: $phone, email: $email) {
      id
      expiresAt
      devCode
    }
  }
`);

export const SignIn = graphql(`
  mutation SignIn($challengeId: ID!, $code: String!) {
    signIn(challengeId: $challengeId, code: $code) {
      accessToken
      accessTokenExpiresAt
      refreshToken
      member {
        id
      }
    }
  }
`);

export const RefreshSession = graphql(`
  mutation RefreshSession($refreshToken: String!) {
    refreshSession(refreshToken: $refreshToken) {
      accessToken
      accessTokenExpiresAt
      refreshToken
      member {
        id
      }
    }
  }
`);

export const SignOut = graphql(`
  mutation SignOut($refreshToken: String!) {
    signOut(refreshToken: $refreshToken)
  }
`);

export const Wallet = graphql(`
  query Wallet {
    me {
      id
      displayName
      tier
      balances {
        kind
        available
      }
      expiringPoints(withinDays: 30) {
        kind
        points
        expiresAt
      }
      referralCode
      referrals {
        id
        status
        invitee {
          id
          displayName
        }
      }
      redemptions(first: 10) {
        edges {
          node {
            id
            status
            points
            cashAmount
            createdAt
            reward {
              id
              name
            }
          }
        }
      }
    }
  }
`);

export const History = graphql(`
  query History($first: Int!, $after: String) {
    me {
      id
      history(first: $first, after: $after) {
        edges {
          cursor
          node {
            id
            type
            kind
            points
            balanceAfter
            description
            createdAt
            merchant {
              id
              name
            }
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);

export const Rewards = graphql(`
  query Rewards {
    rewards(first: 50) {
      edges {
        node {
          id
          name
          kind
          pointsPrice
          cashPrice
          pointKind
          stock
          active
          merchant {
            id
            name
          }
        }
      }
    }
  }
`);

export const Redeem = graphql(`
  mutation Redeem($input: RedeemInput!) {
    redeemReward(input: $input) {
      id
      status
      points
    }
  }
`);

export const IssueMemberCode = graphql(`
  mutation IssueMemberCode {
    issueMemberCode {
      code
      expiresAt
    }
  }
`);

export const Notices = graphql(`
  query Notices {
    me {
      id
      notices(first: 20) {
        edges {
          node {
            id
            kind
            title
            body
            createdAt
            readAt
          }
        }
      }
    }
  }
`);

export const MarkNoticesRead = graphql(`
  mutation MarkNoticesRead($ids: [ID!]!) {
    markNoticesRead(ids: $ids)
  }
`);

export const GreenImpact = graphql(`
  query GreenImpact {
    me {
      id
      greenImpact {
        greenPointsEarned
        greenPointsRedeemed
        co2eGrams
        byCategory {
          category
          amount
          points
          co2eGrams
        }
      }
    }
  }
`);

export const BalanceLive = graphql(`
  subscription BalanceLive {
    balanceChanged {
      kind
      delta
      balance
      sequence
    }
  }
`);

export const ExpiryLive = graphql(`
  subscription ExpiryLive {
    pointsExpiring {
      kind
      points
      daysLeft
      expiresAt
    }
  }
`);

export const NoticeLive = graphql(`
  subscription NoticeLive {
    noticeReceived {
      id
      kind
      title
      body
      createdAt
      readAt
    }
  }
`);
