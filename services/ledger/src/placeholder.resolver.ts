import { Directive, Query, Resolver } from 'type-graphql';

/** Keeps the subgraph valid until its first real type lands; hidden from the public graph. */
@Resolver()
export class PlaceholderResolver {
  @Directive('@inaccessible')
  @Query(() => String)
  ledgerServiceVersion(): string {
    return '0.1.0';
  }
}
