import { Authorized, Ctx, Int, Mutation, Resolver } from 'type-graphql';
import type { CampaignsContext } from '../context';

@Resolver()
export class RecallResolver {
  @Authorized('admin')
  @Mutation(() => Int, {
    description:
      'Runs the churn-recall sweep now (R10; it also runs every EXPIRY_SWEEP_INTERVAL): members inactive for 90 days ' +
      'whose points expire within 30 days get one points-plus-cash reminder. Returns the reminders sent.',
  })
  async runChurnRecall(@Ctx() ctx: CampaignsContext): Promise<number> {
    return ctx.app.recall.sweep();
  }
}
