/** What a contact consents to; each purpose is tracked independently. */
export enum ConsentPurpose {
  EMAIL_MARKETING = 'EMAIL_MARKETING',
  SMS = 'SMS',
  PARTNER_SHARING = 'PARTNER_SHARING',
  PROFILING = 'PROFILING',
}

/** What a consent record states at the moment it was recorded. */
export enum ConsentStatus {
  GRANTED = 'GRANTED',
  WITHDRAWN = 'WITHDRAWN',
}

/** The current state derived from the history of records. */
export enum ConsentState {
  GRANTED = 'GRANTED',
  WITHDRAWN = 'WITHDRAWN',
  EXPIRED = 'EXPIRED',
  UNKNOWN = 'UNKNOWN',
}

export enum LegalBasis {
  EXPRESS = 'EXPRESS',
  IMPLIED = 'IMPLIED',
}

/** Why consent is implied under CASL s. 10(9); decides how long it lasts. */
export enum ImpliedConsentReason {
  PURCHASE = 'PURCHASE',
  DONATION = 'DONATION',
  MEMBERSHIP = 'MEMBERSHIP',
  VOLUNTEER = 'VOLUNTEER',
  INQUIRY = 'INQUIRY',
  PUBLISHED_ADDRESS = 'PUBLISHED_ADDRESS',
}

export interface ConsentRecordLike {
  purpose: ConsentPurpose;
  status: ConsentStatus;
  occurredAt: Date;
  /** Null for express consent and withdrawals: valid until withdrawn. */
  expiresAt: Date | null;
}
