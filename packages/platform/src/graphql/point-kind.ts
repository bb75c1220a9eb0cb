import { registerEnumType } from 'type-graphql';

/** Kinds of points (REQUIREMENTS L2). Shared by every subgraph so composition sees one enum. */
export enum PointKind {
  REGULAR = 'REGULAR',
  GREEN = 'GREEN',
}

registerEnumType(PointKind, {
  name: 'PointKind',
  description: 'Kinds of points. GREEN points are earned only for eco-friendly purchases.',
});
