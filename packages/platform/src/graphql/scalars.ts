import { GraphQLDateTime } from 'graphql-scalars';

/** The contract's `DateTime`: ISO-8601 in UTC (graphql-scalars' implementation). */
export const DateTimeScalar = GraphQLDateTime;

/** type-graphql `scalarsMap`: every JS `Date` field is a contract `DateTime`. */
export const scalarsMap = [{ type: Date, scalar: DateTimeScalar }];
