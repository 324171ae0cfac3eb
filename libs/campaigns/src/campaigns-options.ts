import type { Config } from '@app/common';
import { publicUrl } from '@app/common';

export const CAMPAIGNS_OPTIONS = Symbol('CAMPAIGNS_OPTIONS');

/** What campaigns need of the deployment. */
export interface CampaignsOptions {
  /** The deployment's secret (the tenant claim key): tracking tokens are signed with a key derived from it. */
  secret: Buffer;
  /** Where recipients reach the API (tracking links), without a trailing slash. */
  publicUrl: string;
  /** The SMTP server; unset: messages are written to outboxDir as .eml files. */
  smtpUrl?: string;
  outboxDir: string;
}

export function campaignsOptions(config: Config, secret: Buffer): CampaignsOptions {
  return { secret, publicUrl: publicUrl(config), smtpUrl: config.SMTP_URL, outboxDir: config.MAIL_OUTBOX_DIR };
}
