import { Init1764144000000 } from './1764144000000-init.js';
import { JobRuns1764230400000 } from './1764230400000-job-runs.js';
import { JobFilesByName1764316800000 } from './1764316800000-job-files-by-name.js';
import { Dedup1764403200000 } from './1764403200000-dedup.js';
import { Engagement1764489600000 } from './1764489600000-engagement.js';
import { Audiences1764576000000 } from './1764576000000-audiences.js';
import { MemberNamesAndKeyCaps1764662400000 } from './1764662400000-member-names-and-key-caps.js';
import { JobDispatches1764748800000 } from './1764748800000-job-dispatches.js';
import { Retention1764835200000 } from './1764835200000-retention.js';
import { TenantClaim1764921600000 } from './1764921600000-tenant-claim.js';
import { Pools1765008000000 } from './1765008000000-pools.js';
import { EnsureUserClaim1765040000000 } from './1765040000000-ensure-user-claim.js';
import { SharedSegments1765094400000 } from './1765094400000-shared-segments.js';
import { PoolLedger1765137600000 } from './1765137600000-pool-ledger.js';
import { PoolSharedPeople1765152000000 } from './1765152000000-pool-shared-people.js';
import { PoolLeaversUnshare1765166400000 } from './1765166400000-pool-leavers-unshare.js';
import { PoolSync1765180800000 } from './1765180800000-pool-sync.js';
import { PoolOverlaps1765224000000 } from './1765224000000-pool-overlaps.js';
import { PoolBreakdownsBenchmarks1765267200000 } from './1765267200000-pool-breakdowns-benchmarks.js';
import { PoolReveals1765310400000 } from './1765310400000-pool-reveals.js';
import { DefinerSearchPath1765353600000 } from './1765353600000-definer-search-path.js';
import { Campaigns1765396800000 } from './1765396800000-campaigns.js';
import { CampaignPoolRelay1765454400000 } from './1765454400000-campaign-pool-relay.js';
import { ContactMatchKeys1765540800000 } from './1765540800000-contact-match-keys.js';
import { MatchKeysSortKey1765627200000 } from './1765627200000-match-keys-sort-key.js';
import { EngagementActivity1765713600000 } from './1765713600000-engagement-activity.js';
import { LookupsByKey1765800000000 } from './1765800000000-lookups-by-key.js';
import { SearchTokensSortName1765886400000 } from './1765886400000-search-tokens-sort-name.js';

/** Every migration, in order. */
export const migrations = [
  Init1764144000000,
  JobRuns1764230400000,
  JobFilesByName1764316800000,
  Dedup1764403200000,
  Engagement1764489600000,
  Audiences1764576000000,
  MemberNamesAndKeyCaps1764662400000,
  JobDispatches1764748800000,
  Retention1764835200000,
  TenantClaim1764921600000,
  Pools1765008000000,
  EnsureUserClaim1765040000000,
  SharedSegments1765094400000,
  PoolLedger1765137600000,
  PoolSharedPeople1765152000000,
  PoolLeaversUnshare1765166400000,
  PoolSync1765180800000,
  PoolOverlaps1765224000000,
  PoolBreakdownsBenchmarks1765267200000,
  PoolReveals1765310400000,
  DefinerSearchPath1765353600000,
  Campaigns1765396800000,
  CampaignPoolRelay1765454400000,
  ContactMatchKeys1765540800000,
  MatchKeysSortKey1765627200000,
  EngagementActivity1765713600000,
  LookupsByKey1765800000000,
  SearchTokensSortName1765886400000,
];
