import { AuditCard } from './AuditCard';
import { CampaignsCard } from './CampaignsCard';
import { LiabilityCard } from './LiabilityCard';
import { MerchantsCard } from './MerchantsCard';
import { RewardsCard } from './RewardsCard';
import { ValidityChangeCard } from './ValidityChangeCard';

/** The operator's office: merchants, campaigns, the audit trail, liability and programme terms. */
export function Office({ token }: { token: string }) {
  return (
    <>
      <div className="grid2">
        <MerchantsCard />
        <CampaignsCard />
      </div>
      <RewardsCard />
      <LiabilityCard />
      <AuditCard token={token} />
      <ValidityChangeCard />
    </>
  );
}
