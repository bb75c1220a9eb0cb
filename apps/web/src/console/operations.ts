import { graphql } from '../gql';

export const RecordPurchase = graphql(`
  mutation RecordPurchase($input: PurchaseInput!) {
    recordPurchase(input: $input) {
      purchase {
        id
        orderId
        amount
      }
      awards {
        kind
        points
        reason
        expiresAt
      }
    }
  }
`);

export const RefundPurchase = graphql(`
  mutation RefundPurchase($input: RefundInput!) {
    refundPurchase(input: $input) {
      purchase {
        id
        orderId
      }
      reversals {
        kind
        points
        reason
      }
    }
  }
`);

export const LookUpMember = graphql(`
  query LookUpMember($id: ID!) {
    member(id: $id) {
      id
      displayName
      phone
      tier
      balances {
        kind
        available
      }
    }
  }
`);

export const RedeemForMember = graphql(`
  mutation RedeemForMember($input: RedeemInput!) {
    redeemReward(input: $input) {
      id
      status
      points
      reward {
        id
        name
      }
    }
  }
`);

export const FulfillRedemption = graphql(`
  mutation FulfillRedemption($id: ID!) {
    fulfillRedemption(id: $id) {
      id
      status
    }
  }
`);

export const Merchants = graphql(`
  query Merchants($after: String) {
    merchants(first: 20, after: $after) {
      edges {
        node {
          id
          name
          category
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const Campaigns = graphql(`
  query Campaigns {
    campaigns {
      id
      name
      startsAt
      endsAt
      terms
    }
  }
`);

export const CreateCampaign = graphql(`
  mutation CreateCampaign($input: CreateCampaignInput!) {
    createCampaign(input: $input) {
      id
      name
      terms
    }
  }
`);

export const PreviewPurchase = graphql(`
  query PreviewPurchase($input: PurchaseInput!) {
    previewPurchase(input: $input) {
      kind
      points
      reason
    }
  }
`);

export const Audit = graphql(`
  query Audit($filter: LedgerAuditFilter, $after: String) {
    ledgerAudit(first: 50, after: $after, filter: $filter) {
      edges {
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
`);

export const Liability = graphql(`
  query Liability($merchantId: ID, $kind: PointKind, $from: DateTime!, $to: DateTime!) {
    pointsLiability(merchantId: $merchantId, kind: $kind, from: $from, to: $to) {
      issued
      redeemed
      expired
      reversed
      outstanding
      breakageRate
    }
  }
`);

export const ScheduleValidityChange = graphql(`
  mutation ScheduleValidityChange($input: ValidityChangeInput!) {
    scheduleValidityChange(input: $input) {
      validity
      effectiveAt
      announcedAt
      reason
    }
  }
`);

export const OfficeRewards = graphql(`
  query OfficeRewards {
    rewards(first: 50, includeInactive: true) {
      edges {
        node {
          id
          name
          kind
          pointsPrice
          listPointsPrice
          cashPrice
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

export const CreateReward = graphql(`
  mutation CreateReward($input: CreateRewardInput!) {
    createReward(input: $input) {
      id
      name
    }
  }
`);

export const AddPriceRule = graphql(`
  mutation AddPriceRule($rewardId: ID!, $input: PriceRuleInput!) {
    addPriceRule(rewardId: $rewardId, input: $input) {
      id
      label
      pointsPrice
    }
  }
`);

export const DelistReward = graphql(`
  mutation DelistReward($id: ID!, $reason: String!) {
    delistReward(id: $id, reason: $reason) {
      id
      active
    }
  }
`);
