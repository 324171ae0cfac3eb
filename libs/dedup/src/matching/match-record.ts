import { soundCodes } from './blocking.js';
import { fullFormsOf } from './nicknames.js';
import {
  type MatchAddress,
  matchAddress,
  matchFirstName,
  matchLastName,
  matchName,
  matchWords,
} from './match-text.util.js';

/** The version of MatchRecord and BLOCKING_KEYS: bumped when either changes, so that stored match records are recomputed. */
export const MATCH_RECORD_VERSION = 4;

/** The contact values matching reads. */
export interface ContactToMatch {
  id: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  addressLine1: string | null;
  addressLine2: string | null;
  city: string | null;
  postalCode: string | null;
  /** YYYY-MM-DD, or as entered when it was not a date. */
  birthDate: string | null;
}

/** A contact's values in the form comparisons and blocking use; '' stands for missing. */
export interface MatchRecord {
  id: string;
  /** canonical first-name words joined by a space ("J.-F." → "j f", "Bob" → "robert") */
  first: string;
  last: string;
  /** Daitch-Mokotoff codes of the first and last names (see soundCodes). */
  firstSound: string;
  lastSound: string;
  email: string;
  /** What the email's local part says beyond the person's names ("jf.tremblay62" → "jf62"): shared, it is evidence. */
  emailExtra: string;
  /**
   * The email's local part, letters only ("marie.tremblay62" → "marietremblay"); '' under 4 letters ("jf"), shared by
   * too many people to block or compare on.
   */
  emailLocal: string;
  /** digits, the last ten for North American numbers */
  phone: string;
  /** digits only: YYYYMMDD */
  birth: string;
  /** letters and digits, uppercase */
  postal: string;
  address: MatchAddress | null;
  unit: string;
  city: string;
  /**
   * Where the record sorts among those sharing a key (names, then birth date), so that likely duplicates are close: a
   * focused run reads a key's nearest by it; a full run orders an oversized block alike, by each value's rank.
   */
  sortKey: string;
}

export function toMatchRecord(contact: ContactToMatch): MatchRecord {
  const email = (contact.email ?? '').trim().toLowerCase();
  const digits = (contact.phone ?? '').replace(/\D/g, '');
  const [first, last] = [matchFirstName(contact.firstName), matchLastName(contact.lastName)];
  const birth = birthDigits(contact.birthDate ?? '');
  return {
    id: contact.id,
    first,
    last,
    firstSound: soundCodes(first),
    lastSound: soundCodes(last),
    email,
    emailExtra: emailExtra(email, [
      // "Mike" writes "michael.williams@": the full name is no more distinctive than the short one
      ...matchName(contact.firstName)
        .split(' ')
        .flatMap((word) => [...fullFormsOf(word), word]),
      ...matchName(contact.lastName).split(' '),
    ]),
    emailLocal: emailLocal(email),
    phone: digits.length === 11 && digits.startsWith('1') ? digits.slice(1) : digits,
    birth,
    postal: (contact.postalCode ?? '').replace(/[^0-9a-z]/gi, '').toUpperCase(),
    address: matchAddress(contact.addressLine1, null),
    unit: matchAddress(contact.addressLine2, null)?.full ?? '',
    city: matchName(contact.city),
    sortKey: `${last} ${first} ${birth}`,
  };
}

function emailLocal(email: string): string {
  const letters = email.slice(0, Math.max(0, email.indexOf('@'))).replace(/[^a-z]/g, '');
  return letters.length >= 4 ? letters : '';
}

function emailExtra(email: string, names: string[]): string {
  let local = matchWords(email.slice(0, Math.max(0, email.indexOf('@')))).join('');
  // longest first: "jessica" goes before "jess" would leave "ica"
  for (const name of [...names].sort((a, b) => b.length - a.length))
    if (name.length > 1) local = local.replace(name, '');
  return local;
}

/** YYYYMMDD, or the digits as entered; a day-first date as typed ("24.05.1972", "24/05/1972") is put in order. */
function birthDigits(entered: string): string {
  const dayFirst = /^\s*(\d{1,2})[./-](\d{1,2})[./-](\d{4})\s*$/.exec(entered);
  if (dayFirst) return `${dayFirst[3]}${dayFirst[2].padStart(2, '0')}${dayFirst[1].padStart(2, '0')}`;
  return entered.replace(/\D/g, '');
}
