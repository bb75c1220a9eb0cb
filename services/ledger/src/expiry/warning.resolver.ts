import { FieldResolver, Resolver, Root } from 'type-graphql';
import { Member } from '../accounts/member.type';
import type { WarningRow } from './warning.entity';
import { ExpiryWarning } from './warning.type';

@Resolver(() => ExpiryWarning)
export class ExpiryWarningResolver {
  @FieldResolver(() => Member)
  member(@Root() warning: WarningRow): Member {
    return { id: warning.memberId };
  }
}
