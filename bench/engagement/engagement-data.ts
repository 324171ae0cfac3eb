/**
 * Engagement data for the interactions benchmark: what the shared CRM receives over
 * three seasons from box offices ("billetterie"), newsletter tools ("infolettre") and
 * donation platforms ("dons") about the contacts of generate-contacts-csv (customer
 * numbers C0000001...). By default from 1 September 2023 to 31 August 2026: seasons
 * run from September to August, days and hours are America/Toronto's.
 *
 * What `interactions` records about `contacts` contacts hold:
 * - The mix, as shares of the records, each stream's count fixed up front: email events
 *   71%, ticket purchases ≈13% and attendance ≈11% (24% together: 85% of orders are
 *   attended), donations 2.2%, memberships 1.1%, form submissions 1.7%.
 * - Email: about 80 campaigns a season. Newsletters ("NL-2025-10-07") on Tuesday
 *   mornings, every other week in July and August; promotions ("PROMO-…") on Thursday
 *   mornings of the busy months; fundraising appeals ("DON-…") on Giving Tuesday, the
 *   second Thursday of December and 29 December. Each reaches a segment of the
 *   subscribers, who are the 60% most engaged contacts, each once. Per send: SENT,
 *   then BOUNCED (2.5%) or DELIVERED (97%), or neither; OPENED by ≈35% of the delivered
 *   (each contact at its own rate of 5, 25, 55 or 85%), within the hour for many, up to
 *   a week later; CLICKED by 15% of the openers; UNSUBSCRIBED by 0.2% of the delivered,
 *   who get no campaign after that.
 * - Offerings: about 670 a season ("S24-0153": season of 2024–25, number 153), each with
 *   one discipline, one of 17 Quebec venues (capacities are round figures of the right
 *   size, not the venues' own; a museum's is its timed entries per day), a price, and its
 *   performances: concerts and tours of a night or a few, theatre and circus runs from
 *   Tuesday to Sunday with Sunday matinées, exhibitions open Tuesday to Sunday for weeks,
 *   workshops of 25 places, festival shows in June and July. Curtains at 19:00–20:00,
 *   mostly Thursday to Saturday. Demand is Zipf-like popularity times seats, and the most
 *   popular run longer: at 10,000,000 records the median offering sells ≈330 tickets, the
 *   top ones ≈40,000, and ≈50 of the ≈2,000 sell out.
 * - Tickets: bought up to 120 days ahead, most in the last two weeks, some at the box
 *   office on the day; 1–8 per order, mostly 1–2; 22% at a reduced price; on the web,
 *   by phone or at the box office; 12% of web orders in the ten days after a newsletter
 *   or promotion carry its reference. A sold-out performance sells no more (unless every
 *   performance on sale is sold out). Attendance: at the door of the performance, after
 *   the purchase, for the order's headcount or one less.
 * - Donations: $10 to $5,000, heavy-tailed, a few dollars at the box office; half of
 *   those in the three weeks after an appeal carry it. Memberships: $45 to $300.
 *   Forms: contests (for an offering on sale), sign-ups, surveys.
 * - Seasonality: shows and campaigns peak in October–November and February–April and
 *   dip in summer, except the festivals of June and July. December: more ticket gifts
 *   (1–23) and year-end giving (Giving Tuesday, most of all the 26th to the 31st).
 *   Memberships at the season launch (August–September) and renewals (May–June).
 *   Newsletters on Tuesday and Thursday mornings, shows on Thursday to Saturday evenings.
 * - Contacts: ranked by engagement (a fixed shuffle of 1..contacts). Recipients, buyers,
 *   donors and members are drawn by rank: some draws sweep the ranks so that nearly
 *   everyone turns up, the others follow a power law; forms come from anyone. So activity
 *   is heavy-tailed. At ten records per contact (1,000,000 and 10,000,000), 59% of the
 *   contacts have 1–5 interactions, 31% 6–20, 3% none, the median is 4; 15,700 have 100
 *   or more, 3,200 300 or more, and 300 have 500 to 650 (subscribers who get nearly every
 *   campaign).
 *
 * Order: day by day (Toronto days); within a day the streams are interleaved in
 * proportion, not sorted by time. A record's consequences follow it at once, dated
 * later: a send's delivery, open and click (up to a week later), a purchase's attendance
 * (up to 120 days later). Replaying the records in order never shows an effect before
 * its cause. Nothing is dated after the period: an open that would come after its end
 * is not there, as in an export made on its last day.
 *
 * Exact count: each stream's share of `interactions` is spread over the days (email:
 * over the campaigns) by weight; a stream makes whole units (a send, an order and its
 * attendance) until it reaches its running target, and its last unit is cut at its total.
 *
 * Deterministic: seeded PRNGs only (mulberry32), no clock, no Math.random. The catalog
 * and campaign calendar depend on the seed and period only, not on the counts. Memory
 * does not grow with `interactions`: the catalog (≈23,000 performances), 5 bytes per
 * contact, and one unit of records at a time.
 *
 * Wall times: nothing is placed in the second, repeated 1:00–2:00 of a November change,
 * so a Toronto wall time (the CSV's "Date") always names a single instant: the first, as
 * the interactions import reads it.
 *
 * The CSV is what `POST /imports/interactions` reads: every column is recognised, the
 * customer numbers are looked up under the import's `source` option (billetterie), and
 * each row keeps its own Source.
 *
 * CLI (after `npm run build`):
 *   node dist/bench/engagement/engagement-data.js --contacts 1000000 --interactions 10000000
 *     --out interactions.csv [--seed 7] [--start 2023-09-01] [--seasons 3]
 * writes UTF-8 CSV, ";" as the delimiter, CRLF, with the French box-office headers.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { stringify } from 'csv-stringify/sync';
import { ENGLISH_FIRST_NAMES, ENGLISH_LAST_NAMES, FRENCH_FIRST_NAMES, mulberry32, Rng } from '@app/fixtures';
import { searchTotals, Weighted } from '../support/weighted.js';
import { cliOption } from '../support/cli.js';

export const INTERACTION_KINDS = [
  'TICKET_PURCHASE',
  'ATTENDANCE',
  'DONATION',
  'MEMBERSHIP',
  'EMAIL_SENT',
  'EMAIL_DELIVERED',
  'EMAIL_OPENED',
  'EMAIL_CLICKED',
  'EMAIL_BOUNCED',
  'EMAIL_UNSUBSCRIBED',
  'FORM_SUBMISSION',
] as const;
export type InteractionKind = (typeof INTERACTION_KINDS)[number];

export const DISCIPLINES = [
  'THEATRE',
  'DANCE',
  'MUSIC',
  'VISUAL_ARTS',
  'CIRCUS',
  'LITERATURE',
  'CINEMA',
  'HERITAGE',
  'HUMOUR',
  'MULTIDISCIPLINARY',
] as const;
export type Discipline = (typeof DISCIPLINES)[number];

export type InteractionChannel = 'web' | 'box_office' | 'phone' | 'email';
export type InteractionSource = 'billetterie' | 'infolettre' | 'dons';

export interface GeneratedInteraction {
  /** The contact's customer number as generate-contacts-csv makes it: `C` + 7 digits, 1-based ("C0000001"). */
  contactExternalId: string;
  type: InteractionKind;
  /** ISO 8601 UTC with milliseconds. */
  occurredAt: string;
  /** "S24-0153": the season's first year and the offering's number in it; null for email, donations, memberships. */
  offeringId: string | null;
  offeringName: string | null;
  discipline: Discipline | null;
  venue: string | null;
  /** Integer cents: tickets (price × quantity), donations, memberships. */
  amountCents: number | null;
  /** 'CAD' whenever amountCents is set. */
  currency: 'CAD' | null;
  /** Tickets of an order, headcount of an attendance. */
  quantity: number | null;
  channel: InteractionChannel | null;
  /** Email events: their campaign ("NL-2025-10-07"); some orders, donations and forms: the campaign behind them. */
  campaign: string | null;
  /** The system the record comes from. */
  source: InteractionSource;
  /** Unique per source: the idempotency key ("T00000001": a letter per kind, then a counter). */
  externalId: string;
}

export interface EngagementOptions {
  /** Contacts 1..contacts, numbered as generate-contacts-csv numbers its rows. */
  contacts: number;
  /** Exactly this many records. */
  interactions: number;
  seed?: number;
  /** First day, YYYY-MM-DD in Toronto; seasons start on its anniversaries. */
  start?: string;
  /** Number of seasons (years) from `start`. */
  seasons?: number;
}

export const DEFAULT_SEED = 20_230_901;
export const DEFAULT_START = '2023-09-01';
export const DEFAULT_SEASONS = 3;
/** The rank × multiplier product of the contact shuffle must stay an exact double. */
const MAX_CONTACTS = 50_000_000;

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** [item, weight] pairs for the hours 0–23 of a day. */
function hours(weights: readonly number[]): Weighted<number> {
  return new Weighted(weights.map((weight, hour) => [hour, weight] as const));
}

// --- Toronto time --------------------------------------------------------------------------

/** Day of the month of the nth Sunday of a month (month 0 = January). */
function nthSunday(year: number, month: number, n: number): number {
  const firstWeekday = new Date(Date.UTC(year, month, 1)).getUTCDay();
  return 1 + ((7 - firstWeekday) % 7) + 7 * (n - 1);
}

/** Toronto's daylight saving time since 2007: second Sunday of March to first Sunday of November, changing at 2:00. */
function isDaylightTime(year: number, month: number, date: number, fromTwoOClock: boolean): boolean {
  if (month > 2 && month < 10) return true;
  if (month === 2) {
    const change = nthSunday(year, 2, 2);
    return date > change || (date === change && fromTwoOClock);
  }
  if (month === 10) {
    const change = nthSunday(year, 10, 1);
    return date < change || (date === change && !fromTwoOClock);
  }
  return false;
}

const DAYLIGHT_RANGES = new Map<number, readonly [number, number]>();

/** The UTC instants daylight time starts (7:00Z) and ends (6:00Z) in a year. */
function daylightRange(year: number): readonly [number, number] {
  let range = DAYLIGHT_RANGES.get(year);
  if (!range) {
    range = [Date.UTC(year, 2, nthSunday(year, 2, 2), 7), Date.UTC(year, 10, nthSunday(year, 10, 1), 6)];
    DAYLIGHT_RANGES.set(year, range);
  }
  return range;
}

/** The year of an instant, give or take a day at New Year's, far from any time change. */
function approximateYear(ms: number): number {
  return 1970 + Math.floor(ms / 31_556_952_000);
}

/**
 * An instant in the second 1:00–2:00 of a November change moved to its end (2:00 EST), so
 * that every Toronto wall time of the data names one instant: the repeated hour's first.
 */
function outsideRepeatedHour(ms: number): number {
  const end = daylightRange(approximateYear(ms))[1];
  return ms >= end && ms < end + HOUR_MS ? end + HOUR_MS : ms;
}

// Dates are formatted by hand: Date's toISOString costs a microsecond, most of a record's making.
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
const ISO_DAYS = new Map<number, string>();

/** "YYYY-MM-DD" of a day counted from 1970-01-01. */
function isoDay(epochDay: number): string {
  let text = ISO_DAYS.get(epochDay);
  if (text === undefined) {
    text = new Date(epochDay * DAY_MS).toISOString().slice(0, 10);
    ISO_DAYS.set(epochDay, text);
  }
  return text;
}

/** What `new Date(ms).toISOString()` gives ("2025-10-03T23:30:00.000Z"), several times faster. */
function isoInstant(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  const time = ms - day * DAY_MS;
  const seconds = Math.floor(time / 1000);
  return `${isoDay(day)}T${TWO_DIGITS[Math.floor(seconds / 3600)]}:${TWO_DIGITS[Math.floor(seconds / 60) % 60]}:${TWO_DIGITS[seconds % 60]}.${THREE_DIGITS[time % 1000]}Z`;
}

/** "2025-10-03 19:30": the instant's wall time in Toronto. */
export function torontoWallTime(ms: number): string {
  const [start, end] = daylightRange(approximateYear(ms));
  const local = ms - (ms >= start && ms < end ? 4 : 5) * HOUR_MS;
  const day = Math.floor(local / DAY_MS);
  const minutes = Math.floor((local - day * DAY_MS) / MINUTE_MS);
  return `${isoDay(day)} ${TWO_DIGITS[Math.floor(minutes / 60)]}:${TWO_DIGITS[minutes % 60]}`;
}

/** The Toronto days of the period, with what scheduling needs of each. */
class Calendar {
  readonly days: number;
  readonly endMs: number;
  readonly year: Uint16Array;
  /** 0 = January */
  readonly month: Uint8Array;
  readonly date: Uint8Array;
  /** 0 = Sunday */
  readonly weekday: Uint8Array;
  /** First day of each season. */
  readonly seasonStarts: number[] = [];
  private readonly firstEpochDay: number;
  /** Hours behind UTC, two per day: before 2:00 and from 2:00. */
  private readonly utcOffsets: Uint8Array;

  constructor(start: string, seasons: number) {
    const [y, m, d] = start.split('-').map(Number);
    this.firstEpochDay = Date.UTC(y, m - 1, d) / DAY_MS;
    for (let season = 0; season <= seasons; season++)
      this.seasonStarts.push(Date.UTC(y + season, m - 1, d) / DAY_MS - this.firstEpochDay);
    this.days = this.seasonStarts.pop()!;
    this.year = new Uint16Array(this.days);
    this.month = new Uint8Array(this.days);
    this.date = new Uint8Array(this.days);
    this.weekday = new Uint8Array(this.days);
    this.utcOffsets = new Uint8Array(2 * this.days);
    for (let day = 0; day < this.days; day++) {
      const at = new Date((this.firstEpochDay + day) * DAY_MS);
      this.year[day] = at.getUTCFullYear();
      this.month[day] = at.getUTCMonth();
      this.date[day] = at.getUTCDate();
      this.weekday[day] = at.getUTCDay();
      this.utcOffsets[2 * day] = isDaylightTime(this.year[day], this.month[day], this.date[day], false) ? 4 : 5;
      this.utcOffsets[2 * day + 1] = isDaylightTime(this.year[day], this.month[day], this.date[day], true) ? 4 : 5;
    }
    this.endMs = this.at(this.days - 1, 24 * 60);
  }

  /** The instant `minute` minutes after the local midnight of `day`. */
  at(day: number, minute: number): number {
    return (
      (this.firstEpochDay + day) * DAY_MS +
      minute * MINUTE_MS +
      this.utcOffsets[2 * day + (minute < 120 ? 0 : 1)] * HOUR_MS
    );
  }

  isoDate(day: number): string {
    return isoDay(this.firstEpochDay + day);
  }

  /** Parity of the week (weeks from Monday), to do something every other week. */
  weekParity(day: number): number {
    return Math.floor((this.firstEpochDay + day + 3) / 7) % 2;
  }

  /** Christmas Eve, Christmas, New Year's Day: no performance. */
  isClosed(day: number): boolean {
    return (
      (this.month[day] === 11 && (this.date[day] === 24 || this.date[day] === 25)) ||
      (this.month[day] === 0 && this.date[day] === 1)
    );
  }

  /** The Tuesday after the fourth Thursday of November. */
  isGivingTuesday(day: number): boolean {
    const fourthThursday = ((4 - new Date(Date.UTC(this.year[day], 10, 1)).getUTCDay() + 7) % 7) + 22;
    const givingTuesday = new Date(Date.UTC(this.year[day], 10, fourthThursday + 5));
    return this.month[day] === givingTuesday.getUTCMonth() && this.date[day] === givingTuesday.getUTCDate();
  }
}

// --- Catalog -------------------------------------------------------------------------------

interface Venue {
  name: string;
  /** Seats; for a museum, the timed-entry tickets it sells ahead per day. */
  capacity: number;
  disciplines: readonly Discipline[];
}

const VENUES: readonly Venue[] = [
  { name: 'Théâtre du Nouveau Monde', capacity: 850, disciplines: ['THEATRE'] },
  { name: 'Salle Wilfrid-Pelletier', capacity: 2900, disciplines: ['MUSIC', 'DANCE', 'HUMOUR'] },
  { name: 'Théâtre Maisonneuve', capacity: 1450, disciplines: ['THEATRE', 'DANCE', 'MUSIC', 'HUMOUR'] },
  { name: 'Maison symphonique de Montréal', capacity: 2100, disciplines: ['MUSIC'] },
  { name: 'Monument-National', capacity: 800, disciplines: ['THEATRE', 'HUMOUR', 'MULTIDISCIPLINARY'] },
  { name: 'Usine C', capacity: 450, disciplines: ['DANCE', 'THEATRE', 'MULTIDISCIPLINARY'] },
  { name: 'TOHU', capacity: 1300, disciplines: ['CIRCUS', 'MULTIDISCIPLINARY'] },
  { name: 'Cinémathèque québécoise', capacity: 200, disciplines: ['CINEMA'] },
  { name: 'Musée des beaux-arts de Montréal', capacity: 400, disciplines: ['VISUAL_ARTS', 'HERITAGE'] },
  { name: 'Pointe-à-Callière', capacity: 250, disciplines: ['HERITAGE'] },
  { name: 'Grande Bibliothèque', capacity: 300, disciplines: ['LITERATURE', 'CINEMA'] },
  { name: 'Grand Théâtre de Québec', capacity: 1850, disciplines: ['MUSIC', 'DANCE', 'THEATRE', 'HUMOUR'] },
  { name: 'Le Diamant', capacity: 620, disciplines: ['THEATRE', 'CIRCUS', 'MULTIDISCIPLINARY'] },
  { name: 'Palais Montcalm', capacity: 980, disciplines: ['MUSIC'] },
  { name: 'Musée national des beaux-arts du Québec', capacity: 300, disciplines: ['VISUAL_ARTS', 'HERITAGE'] },
  { name: 'Maison de la littérature', capacity: 120, disciplines: ['LITERATURE'] },
  { name: 'Théâtre Granada', capacity: 900, disciplines: ['MUSIC', 'HUMOUR', 'CINEMA'] },
];
const FESTIVAL_STAGE: Venue = { name: 'Quartier des spectacles, scène extérieure', capacity: 4000, disciplines: [] };
const WORKSHOP_PLACES = 25;

type Format = 'run' | 'exhibition';

interface DisciplineProfile {
  /** Share of the offerings. */
  weight: number;
  format: Format;
  /** Performances (run) or weeks open (exhibition), the low end more likely. */
  length: readonly [number, number];
  /** Ticket price range, dollars. */
  price: readonly [number, number];
  /** Evening curtain, minutes after midnight. */
  curtain: number;
  /** Share of workshops: one Saturday morning or weekday evening, WORKSHOP_PLACES places. */
  workshops: number;
}

const PROFILES: Record<Discipline, DisciplineProfile> = {
  THEATRE: { weight: 20, format: 'run', length: [4, 24], price: [32, 72], curtain: 19 * 60 + 30, workshops: 0 },
  DANCE: { weight: 9, format: 'run', length: [1, 6], price: [35, 85], curtain: 20 * 60, workshops: 0 },
  MUSIC: { weight: 26, format: 'run', length: [1, 2], price: [25, 125], curtain: 19 * 60 + 30, workshops: 0 },
  VISUAL_ARTS: { weight: 6, format: 'exhibition', length: [8, 16], price: [18, 26], curtain: -1, workshops: 0 },
  CIRCUS: { weight: 5, format: 'run', length: [2, 16], price: [38, 95], curtain: 19 * 60 + 30, workshops: 0 },
  LITERATURE: { weight: 6, format: 'run', length: [1, 2], price: [8, 25], curtain: 19 * 60, workshops: 0.4 },
  CINEMA: { weight: 8, format: 'run', length: [1, 3], price: [11, 15], curtain: 19 * 60, workshops: 0 },
  HERITAGE: { weight: 4, format: 'exhibition', length: [10, 30], price: [15, 24], curtain: -1, workshops: 0 },
  HUMOUR: { weight: 10, format: 'run', length: [1, 6], price: [39, 72], curtain: 20 * 60, workshops: 0 },
  MULTIDISCIPLINARY: { weight: 6, format: 'run', length: [1, 8], price: [20, 60], curtain: 20 * 60, workshops: 0.3 },
};
const DISCIPLINE_PICKS = new Weighted(
  DISCIPLINES.map((discipline) => [discipline, PROFILES[discipline].weight] as const),
);
const FESTIVAL_DISCIPLINES = new Weighted<Discipline>([
  ['MUSIC', 45],
  ['CIRCUS', 15],
  ['HUMOUR', 20],
  ['MULTIDISCIPLINARY', 10],
  ['THEATRE', 5],
  ['DANCE', 5],
]);
const FESTIVAL_SHARE = 0.1;
const OFFERINGS_PER_SEASON = 670;
const MATINEE = 14 * 60;

/** Show days by month (0 = January) and weekday (0 = Sunday). */
const SHOW_MONTH = [0.6, 1.2, 1.5, 1.3, 0.9, 0.35, 0.15, 0.15, 0.9, 1.5, 1.5, 1.0];
const SHOW_WEEKDAY = [0.6, 0.1, 0.5, 0.8, 1.4, 1.8, 2.0];
const WORKSHOP_WEEKDAY = [0, 0, 1, 1, 1, 0, 3];

// Invented titles: fragments put together, French for four offerings in five.
const HEADS_FR = [
  'La Traversée',
  'Les Héritiers',
  'Le Grand Hiver',
  'La Noce',
  'Les Voisins',
  'Le Phare',
  'La Cuisine',
  'Les Oiseaux de passage',
  'Le Bal',
  'La Veillée',
  'Les Saisons',
  'Le Retour',
  'La Chute',
  'Les Fantômes',
  'Le Silence',
  'La Forêt',
  'Les Enfants',
  'Le Quai',
  'La Marée',
  'Les Lumières',
  'Le Pont',
  'La Dérive',
  "L'Hôtel",
  'Les Sœurs',
];
const TAILS_FR = [
  '',
  '',
  '',
  '',
  'du bout du monde',
  'de Gaspé',
  'sous la neige',
  'des autres',
  'en ville',
  "à l'aube",
  'de la rue Ontario',
  'du fleuve',
  'pour deux',
  "au bord de l'eau",
  'de nos mères',
  'sans fin',
  'du Nord',
  'de Saint-Roch',
];
const HEADS_EN = [
  'The Crossing',
  'Lighthouse',
  'The Long Winter',
  'Neighbours',
  'The Wedding',
  'Homecoming',
  'Tidewater',
  'The Quiet Hour',
  'Northbound',
  'The Inheritance',
];
const TAILS_EN = ['', '', '', 'in Winter', 'by the River', 'at Dawn', 'for Two', 'on Main Street'];
const ENSEMBLES = [
  'Orchestre de chambre Saint-Laurent',
  'Chœur des Seigneuries',
  'Quatuor Boréal',
  'Ensemble Mistral',
  'Trio Laurentides',
  'Big Band de la Capitale',
  'Orchestre baroque de Lévis',
  'Les Voix du Vieux-Port',
];
const PROGRAMS = [
  'Beethoven, la 9e',
  'Noël baroque',
  'Vivaldi, Les Quatre Saisons',
  'Mozart et Haydn',
  'Musique de films',
  'Airs d’opéra',
  'Piazzolla',
  'Bach, les suites',
  'Chansons d’ici',
  'Jazz de La Nouvelle-Orléans',
  'Brahms et Schumann',
  'Requiem de Fauré',
];
const STAGE_SURNAMES = [
  'Bérubé',
  'Lavigne',
  'Thibault',
  'Desrosiers',
  'Lemay',
  'Vézina',
  'Charest',
  'Provencher',
  'Rivard',
  'Dufour',
  'Gingras',
  'Poulin',
];
const TOURS_FR = ['en tournée', 'nouvel album', 'en formule trio', 'les grands succès', 'en acoustique'];
const TOURS_EN = ['on tour', 'new album', 'live', 'the hits'];
const HUMOUR_FR = [
  'En rodage',
  'Nouveau spectacle',
  'Sans filtre',
  'Pas de problème',
  'Bientôt 40 ans',
  'Le Party de bureau',
  'Tout va bien',
];
const HUMOUR_EN = ['Work in Progress', 'No Filter', 'Almost Forty', 'Totally Fine'];
const EXHIBITIONS_FR = [
  'Lumières du Nord',
  'Paysages de Charlevoix',
  'La Couleur du fleuve',
  'Femmes peintres du Québec',
  'Art inuit contemporain',
  'Montréal en photographies, 1950–1980',
  'Le Verre soufflé',
  'Impressionnismes',
  'Design québécois',
  'Portraits de famille',
];
const EXHIBITIONS_EN = [
  'Northern Light',
  'Montreal in Photographs',
  'Contemporary Inuit Art',
  'Women Painters of Quebec',
];
const HERITAGE_FR = [
  'Trésors de la Nouvelle-France',
  'Le Port de Québec',
  'La Vie de quartier',
  'Archéologie du Vieux-Québec',
  'Les Premiers Peuples et le fleuve',
  "Montréal, d'hier à aujourd'hui",
  'Les Chantiers maritimes',
];
const HERITAGE_EN = ['Treasures of New France', 'Life on the Waterfront', 'Old Quebec Underground'];
const WRITING = ['le récit de soi', 'la poésie', 'la nouvelle', 'écrire pour le jeune public', "l'autofiction"];
const CRAFTS = [
  'danse pour tous',
  "théâtre d'improvisation",
  'percussions',
  'linogravure',
  'photographie',
  'chant choral',
];

function play(rng: Rng, english: boolean): string {
  const [head, tail] = english ? [rng.pick(HEADS_EN), rng.pick(TAILS_EN)] : [rng.pick(HEADS_FR), rng.pick(TAILS_FR)];
  return tail ? `${head} ${tail}` : head;
}

function artist(rng: Rng, english: boolean): string {
  return english
    ? `${rng.pick(ENGLISH_FIRST_NAMES)} ${rng.pick(ENGLISH_LAST_NAMES)}`
    : `${rng.pick(FRENCH_FIRST_NAMES)} ${rng.pick(STAGE_SURNAMES)}`;
}

function offeringName(rng: Rng, discipline: Discipline, workshop: boolean): string {
  const english = rng.chance(0.2);
  const colon = english ? ': ' : ' : ';
  switch (discipline) {
    case 'THEATRE':
    case 'DANCE':
    case 'CIRCUS':
      return play(rng, english);
    case 'MULTIDISCIPLINARY':
      return workshop ? `Atelier : ${rng.pick(CRAFTS)}` : play(rng, english);
    case 'MUSIC':
      return rng.chance(0.5)
        ? `${rng.pick(ENSEMBLES)} : ${rng.pick(PROGRAMS)}`
        : `${artist(rng, english)} — ${rng.pick(english ? TOURS_EN : TOURS_FR)}`;
    case 'HUMOUR':
      return `${artist(rng, english)} — ${rng.pick(english ? HUMOUR_EN : HUMOUR_FR)}`;
    case 'VISUAL_ARTS':
      return rng.pick(english ? EXHIBITIONS_EN : EXHIBITIONS_FR);
    case 'HERITAGE':
      return rng.pick(english ? HERITAGE_EN : HERITAGE_FR);
    case 'CINEMA':
      return `${english ? 'Film Club' : 'Ciné-club'}${colon}${play(rng, english)}`;
    case 'LITERATURE':
      if (workshop) return `Atelier d'écriture : ${rng.pick(WRITING)}`;
      return rng.chance(0.5)
        ? `${english ? 'Reading' : 'Lecture'}${colon}${play(rng, english)}`
        : `${english ? 'An Evening with' : 'Rencontre avec'} ${artist(rng, english)}`;
  }
}

interface Offering {
  id: string;
  name: string;
  discipline: Discipline;
  venue: string;
  priceCents: number;
}

interface Performance {
  offering: Offering;
  day: number;
  /** Curtain, minutes after midnight; -1 for an exhibition's timed entries. */
  start: number;
  capacity: number;
  /** Relative number of tickets it would sell if seats were unlimited. */
  demand: number;
}

/** A whole number in [min, max], the low end more likely. */
function lowSkewed(rng: Rng, [min, max]: readonly [number, number]): number {
  return min + Math.floor((max - min + 1) * rng.float() ** 2);
}

/** Whole dollars, now and then with cents as box offices price (45.50, 39.75), in cents. */
function priceCents(rng: Rng, [min, max]: readonly [number, number]): number {
  return rng.int(min, max) * 100 + rng.pick([0, 0, 0, 50, 75, 25]);
}

/** Offerings of every season with their performances, sorted by day. */
function buildCatalog(rng: Rng, calendar: Calendar): Performance[] {
  const performances: Performance[] = [];
  const venuesOf = new Map(
    DISCIPLINES.map((discipline) => [discipline, VENUES.filter((venue) => venue.disciplines.includes(discipline))]),
  );
  calendar.seasonStarts.forEach((first, season) => {
    const last = Math.min(calendar.seasonStarts[season + 1] ?? calendar.days, calendar.days);
    const daysOf = (weight: (day: number) => number) =>
      new Weighted(
        Array.from(
          { length: last - first },
          (_, i) => [first + i, calendar.isClosed(first + i) ? 0 : weight(first + i)] as const,
        ),
      );
    const showDays = daysOf((day) => SHOW_MONTH[calendar.month[day]] * SHOW_WEEKDAY[calendar.weekday[day]]);
    const openings = daysOf((day) => SHOW_MONTH[calendar.month[day]]);
    const workshopDays = daysOf((day) => SHOW_MONTH[calendar.month[day]] * WORKSHOP_WEEKDAY[calendar.weekday[day]]);
    const festivalDays = daysOf((day) =>
      (calendar.month[day] === 5 && calendar.date[day] >= 10) || calendar.month[day] === 6
        ? SHOW_WEEKDAY[calendar.weekday[day]]
        : 0,
    );
    const ranks = Array.from({ length: OFFERINGS_PER_SEASON }, (_, i) => i);
    for (let i = ranks.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [ranks[i], ranks[j]] = [ranks[j], ranks[i]];
    }
    const seasonLabel = `S${String(calendar.year[first] % 100).padStart(2, '0')}`;

    for (let number = 1; number <= OFFERINGS_PER_SEASON; number++) {
      const rank = ranks[number - 1];
      const festival = rng.chance(FESTIVAL_SHARE);
      const discipline = festival ? FESTIVAL_DISCIPLINES.pick(rng) : DISCIPLINE_PICKS.pick(rng);
      const profile = PROFILES[discipline];
      const workshop = rng.chance(profile.workshops);
      const venue = festival && rng.chance(0.6) ? FESTIVAL_STAGE : rng.pick(venuesOf.get(discipline)!);
      const offering: Offering = {
        id: `${seasonLabel}-${String(number).padStart(4, '0')}`,
        name: offeringName(rng, discipline, workshop),
        discipline,
        venue: venue.name,
        priceCents: workshop
          ? priceCents(rng, [20, 45])
          : discipline === 'LITERATURE' && rng.chance(0.3)
            ? 0
            : priceCents(rng, profile.price),
      };
      const capacity = workshop ? WORKSHOP_PLACES : venue.capacity;
      const days: number[] = [];
      let curtain = profile.curtain;
      if (workshop) {
        const day = workshopDays.pick(rng);
        days.push(day);
        curtain = calendar.weekday[day] === 6 ? 10 * 60 : 18 * 60 + 30;
      } else if (festival) {
        const opening = festivalDays.pick(rng);
        const closing = Math.min(opening + rng.int(1, 4), calendar.days);
        for (let day = opening; day < closing; day++) days.push(day);
        curtain = rng.pick([20 * 60, 21 * 60 + 30]);
      } else if (profile.format === 'exhibition') {
        const opening = openings.pick(rng);
        const closing = Math.min(opening + 7 * lowSkewed(rng, profile.length), calendar.days);
        for (let day = opening; day < closing; day++)
          if (calendar.weekday[day] !== 1 && !calendar.isClosed(day)) days.push(day);
      } else {
        // The most popular offerings run longer: up to three times as long for the first ranks.
        const count = Math.min(40, Math.round(lowSkewed(rng, profile.length) * (1 + 2 / (1 + rank / 10))));
        const opening = showDays.pick(rng);
        for (let day = opening; days.length < count && day < calendar.days; day++) {
          if (day === opening || (calendar.weekday[day] !== 1 && !calendar.isClosed(day))) days.push(day);
        }
      }
      // Popularity by rank times seats: a bigger room or a longer run sells more, and only the most popular fill up.
      const demand = (rank + 3) ** -0.9 * capacity;
      for (const day of days) {
        const start = curtain >= 0 && calendar.weekday[day] === 0 && !festival && !workshop ? MATINEE : curtain;
        performances.push({ offering, day, start, capacity, demand });
      }
    }
  });
  return performances.sort((a, b) => a.day - b.day);
}

// --- Email campaigns -----------------------------------------------------------------------

type CampaignKind = 'NL' | 'PROMO' | 'DON';

interface Campaign {
  kind: CampaignKind;
  /** "NL-2025-10-07" */
  ref: string;
  day: number;
  sentAt: number;
  /** Relative audience: a campaign's share of the sends. */
  weight: number;
}

const CAMPAIGN_WEIGHT: Record<CampaignKind, number> = { NL: 1, PROMO: 0.6, DON: 0.7 };
/** Email volume by month (0 = January). */
const EMAIL_MONTH = [0.85, 1.1, 1.2, 1.15, 0.95, 0.85, 0.55, 0.65, 1.1, 1.25, 1.2, 0.95];
/** Months with Thursday promotions: September to November, February to April, June. */
const PROMO_MONTHS = new Set([8, 9, 10, 1, 2, 3, 5]);

function scheduleCampaigns(rng: Rng, calendar: Calendar): Campaign[] {
  const campaigns: Campaign[] = [];
  const add = (kind: CampaignKind, day: number, minute: number) =>
    campaigns.push({
      kind,
      ref: `${kind}-${calendar.isoDate(day)}`,
      day,
      sentAt: calendar.at(day, minute),
      weight: CAMPAIGN_WEIGHT[kind] * EMAIL_MONTH[calendar.month[day]],
    });
  for (let day = 0; day < calendar.days; day++) {
    const month = calendar.month[day];
    const date = calendar.date[day];
    const weekday = calendar.weekday[day];
    if (
      calendar.isGivingTuesday(day) ||
      (month === 11 && weekday === 4 && date > 7 && date <= 14) ||
      (month === 11 && date === 29)
    ) {
      add('DON', day, 8 * 60 + 30);
    }
    const summer = month === 6 || month === 7;
    if (weekday === 2 && !(summer && calendar.weekParity(day) === 1)) add('NL', day, 9 * 60 + 30 * rng.int(0, 2));
    if (weekday === 4 && PROMO_MONTHS.has(month)) add('PROMO', day, 10 * 60 + 30 * rng.int(0, 1));
  }
  return campaigns;
}

// --- Contacts ------------------------------------------------------------------------------

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** A step through 0..size−1 that visits every number once per `size` steps, far apart: near the golden ratio. */
function goldenStride(size: number): number {
  let stride = Math.max(1, Math.floor(size * 0.618_033_988_7));
  while (gcd(stride, size) !== 1) stride++;
  return stride;
}

/** Contact numbers in a fixed shuffled order of engagement, rank 0 the most engaged: rank × multiplier + offset, modulo. */
class EngagementOrder {
  private readonly multiplier: number;
  private readonly offset: number;
  constructor(
    private readonly contacts: number,
    rng: Rng,
  ) {
    this.multiplier = goldenStride(contacts);
    this.offset = rng.int(0, contacts - 1);
  }
  contact(rank: number): number {
    return ((rank * this.multiplier + this.offset) % this.contacts) + 1;
  }
}

/**
 * Ranks 0..size−1. A `floor` share of the draws sweeps the ranks (each once before any twice),
 * so that everyone gets a little; the rest follow a power law, density ∝ (rank/size + shift)^−exponent,
 * so that a few ranks are drawn very often.
 */
class RankDraw {
  private readonly base: number;
  private readonly span: number;
  private readonly inverse: number;
  private readonly stride: number;
  private swept = 0;
  constructor(
    readonly size: number,
    private readonly floor: number,
    private readonly shift: number,
    exponent: number,
  ) {
    this.base = shift ** (1 - exponent);
    this.span = (1 + shift) ** (1 - exponent) - this.base;
    this.inverse = 1 / (1 - exponent);
    this.stride = goldenStride(size);
  }
  draw(rng: Rng): number {
    if (rng.chance(this.floor)) return this.sweep();
    const x = (this.base + rng.float() * this.span) ** this.inverse - this.shift;
    return Math.min(this.size - 1, Math.floor(x * this.size));
  }
  /** The next rank of the sweep. */
  sweep(): number {
    return (this.swept++ * this.stride) % this.size;
  }
}

const SUBSCRIBER_SHARE = 0.6;
// RankDraw (floor share, shift, exponent), tuned for 10 records per contact. Campaign recipients among the
// subscribers: one send in five sweeps them, the others go a third to their top 1% and four fifths to their
// top 10%. Buyers, donors and members among all contacts: over half sweep them, the others alike.
const RECIPIENT_DRAW = [0.2, 0.01, 1.6] as const;
const SUPPORTER_DRAW = [0.55, 0.005, 1.4] as const;
/** Open rates of the contacts: 30% open 5% of what they get, 30% 25%, 25% 55%, 15% 85% (35.5% on average). */
const OPEN_RATES = [
  0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.55, 0.55, 0.55, 0.55, 0.55, 0.85, 0.85,
  0.85,
];
const MEAN_OPEN_RATE = OPEN_RATES.reduce((sum, rate) => sum + rate, 0) / OPEN_RATES.length;
const UNSUBSCRIBED = 0x80;

/** Draws for a subscriber a campaign has not reached yet, before sweeping the list for one. */
const RECIPIENT_DRAWS = 8;

// --- Generation ------------------------------------------------------------------------------

/** Shares of the records per stream, in STREAM order. */
const STREAM_SHARES = [0.71, 0.24, 0.022, 0.011, 0.017];
const STREAM = { email: 0, tickets: 1, donations: 2, memberships: 3, forms: 4 } as const;

const BOUNCE_RATE = 0.025;
const DELIVERY_RATE = 0.97;
const CLICK_RATE = 0.15;
const UNSUBSCRIBE_RATE = 0.002;
/** Records per send on average: SENT, DELIVERED or BOUNCED, OPENED, CLICKED, UNSUBSCRIBED. */
const RECORDS_PER_SEND = 1 + BOUNCE_RATE + DELIVERY_RATE * (1 + MEAN_OPEN_RATE * (1 + CLICK_RATE) + UNSUBSCRIBE_RATE);
/** How long a campaign takes to go out. */
const SEND_WINDOW_MS = 25 * MINUTE_MS;
/** Delay from delivery to open: the mean minutes of an exponential, by how soon people read their mail. */
const OPEN_DELAYS = new Weighted<number>([
  [40, 45],
  [6 * 60, 35],
  [36 * 60, 20],
]);
const MAX_OPEN_DELAY_MS = 7 * DAY_MS;

const LEAD_DAYS = 120;
/** Weight of buying a ticket `k` days before the performance: most on the day itself, then decreasing. */
const LEAD = Float64Array.from({ length: LEAD_DAYS + 1 }, (_, k) => (k === 0 ? 2.5 : (1 + k / 5) ** -1.2));
/** Ticket buying by weekday (0 = Sunday). */
const PURCHASE_WEEKDAY = [0.8, 1.0, 1.1, 1.05, 1.0, 0.95, 0.85];
const ATTENDANCE_RATE = 0.85;
const REDUCED_SHARE = 0.22;
const REDUCED_PRICE = 0.8;
const PROMO_SHARE = 0.12;
const PROMO_DAYS = 10;
const QUANTITIES = new Weighted<number>([
  [1, 38],
  [2, 44],
  [3, 6],
  [4, 8],
  [5, 1.5],
  [6, 1.5],
  [7, 0.5],
  [8, 0.5],
]);

type SalesChannel = Exclude<InteractionChannel, 'email'>;
const ADVANCE_CHANNELS = new Weighted<SalesChannel>([
  ['web', 72],
  ['phone', 13],
  ['box_office', 15],
]);
const SAME_DAY_CHANNELS = new Weighted<SalesChannel>([
  ['web', 45],
  ['box_office', 45],
  ['phone', 10],
]);
/** Hour of day (Toronto) by channel: the web day and night, the box office noon to 8 pm, the phone office hours. */
const HOURS: Record<SalesChannel, Weighted<number>> = {
  web: hours([
    0.3, 0.15, 0.1, 0.05, 0.05, 0.1, 0.3, 0.8, 1.2, 1.6, 1.8, 1.9, 2, 1.9, 1.7, 1.6, 1.6, 1.7, 1.9, 2.2, 2.3, 2, 1.4,
    0.7,
  ]),
  box_office: hours([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1.3, 1.3, 0.6, 0, 0, 0]),
  phone: hours([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0.6, 0, 0, 0, 0, 0, 0]),
};

const DONATION_MONTH = [0.8, 0.8, 0.9, 0.9, 1.0, 0.8, 0.6, 0.6, 0.9, 1.0, 1.3, 2.5];
const DONATION_CHANNELS = new Weighted<SalesChannel>([
  ['web', 75],
  ['phone', 10],
  ['box_office', 15],
]);
/** Gifts in dollars. */
const GIFTS = new Weighted<number>([
  [10, 8],
  [20, 14],
  [25, 14],
  [50, 20],
  [75, 4],
  [100, 18],
  [150, 3],
  [200, 6],
  [250, 5],
  [500, 4],
  [1000, 2],
  [2500, 0.5],
  [5000, 0.15],
]);
/** Rounding up at the box office, dollars. */
const SMALL_GIFTS = new Weighted<number>([
  [2, 30],
  [5, 40],
  [10, 30],
]);
const APPEAL_SHARE = 0.5;
const APPEAL_DAYS = 21;

const MEMBERSHIP_MONTH = [0.8, 0.7, 0.7, 0.8, 1.2, 1.4, 0.8, 2.0, 2.5, 1.2, 0.8, 1.3];
const MEMBERSHIP_CHANNELS = new Weighted<SalesChannel>([
  ['web', 60],
  ['box_office', 25],
  ['phone', 15],
]);
const MEMBERSHIP_FEES_CENTS = new Weighted<number>([
  [4500, 30],
  [6000, 25],
  [9500, 20],
  [15000, 15],
  [30000, 10],
]);

const CONTEST_SHARE = 0.4;
const FORM_CAMPAIGN_SHARE = 0.25;
const FORM_CAMPAIGN_DAYS = 7;

/** Where each kind comes from, and the letter of its idempotency keys (the letters of a source differ). */
const ORIGIN: Record<InteractionKind, readonly [InteractionSource, string]> = {
  TICKET_PURCHASE: ['billetterie', 'T'],
  ATTENDANCE: ['billetterie', 'A'],
  MEMBERSHIP: ['billetterie', 'M'],
  DONATION: ['dons', 'D'],
  EMAIL_SENT: ['infolettre', 'E'],
  EMAIL_DELIVERED: ['infolettre', 'E'],
  EMAIL_OPENED: ['infolettre', 'E'],
  EMAIL_CLICKED: ['infolettre', 'E'],
  EMAIL_BOUNCED: ['infolettre', 'E'],
  EMAIL_UNSUBSCRIBED: ['infolettre', 'E'],
  FORM_SUBMISSION: ['infolettre', 'F'],
};

/** A stream's exact record count, spread over slots (days or campaigns) by weight. */
class Quota {
  count = 0;
  private readonly totals: Float64Array;
  constructor(
    readonly total: number,
    weights: ArrayLike<number>,
  ) {
    this.totals = new Float64Array(weights.length);
    let sum = 0;
    for (let i = 0; i < weights.length; i++) this.totals[i] = sum += weights[i];
  }
  /** Records the stream should have made by the end of slot `i` (none before slot 0); `total` from the last weighted slot. */
  target(i: number): number {
    return i < 0 ? 0 : Math.round((this.total * this.totals[i]) / this.totals[this.totals.length - 1]);
  }
}

/** `total` split in proportion to `shares`, largest remainders first, so that the parts add up to `total`. */
function split(total: number, shares: readonly number[]): number[] {
  const exact = shares.map((share) => total * share);
  const parts = exact.map((value) => Math.floor(value));
  const order = exact.map((value, i) => [value - parts[i], i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const missing = total - parts.reduce((sum, part) => sum + part, 0);
  for (let k = 0; k < missing; k++) parts[order[k][1]]++;
  return parts;
}

/** The performances on sale on a day (up to LEAD_DAYS ahead), weighted by demand and closeness. */
class Offer {
  total = 0;
  private first = 0;
  private end = 0;
  private count = 0;
  private readonly indexes: Int32Array;
  private readonly totals: Float64Array;
  constructor(
    private readonly performances: readonly Performance[],
    /** Tickets sold per performance; null to ignore capacity. */
    private readonly sold: Int32Array | null,
  ) {
    this.indexes = new Int32Array(performances.length);
    this.totals = new Float64Array(performances.length);
  }
  /** The offer of `day` (days in increasing order): sold-out performances are left out, unless all are. */
  build(day: number): void {
    while (this.first < this.performances.length && this.performances[this.first].day < day) this.first++;
    while (this.end < this.performances.length && this.performances[this.end].day <= day + LEAD_DAYS) this.end++;
    this.fill(day, this.sold !== null);
    if (this.total === 0) this.fill(day, false);
  }
  pick(rng: Rng): number {
    return this.indexes[searchTotals(this.totals, this.count, rng.float() * this.total)];
  }
  private fill(day: number, skipSoldOut: boolean): void {
    this.count = 0;
    this.total = 0;
    for (let p = this.first; p < this.end; p++) {
      const performance = this.performances[p];
      if (skipSoldOut && this.sold![p] >= performance.capacity) continue;
      this.indexes[this.count] = p;
      this.totals[this.count++] = this.total += performance.demand * LEAD[performance.day - day];
    }
  }
}

interface Stream {
  quota: Quota;
  /** The quota slot that ends with `day`. */
  slot(day: number): number;
  /** One unit (a send and what followed, an order and its attendance, a gift...) into the unit buffer. */
  make(day: number): void;
}

class EngagementGenerator {
  private readonly rng: Rng;
  private readonly calendar: Calendar;
  private readonly performances: Performance[];
  private readonly campaigns: Campaign[];
  private readonly ranking: EngagementOrder;
  private readonly recipients: RankDraw;
  private readonly supporters: RankDraw;
  private readonly sold: Int32Array;
  private readonly offer: Offer;
  /** Per contact (number − 1): the last campaign it got. */
  private readonly lastCampaign: Int32Array;
  /** Per contact: its index in OPEN_RATES, and UNSUBSCRIBED. */
  private readonly mailbox: Uint8Array;
  /** The latest campaign of each kind sent by the end of the current day. */
  private readonly recent: Record<CampaignKind, Campaign | null> = { NL: null, PROMO: null, DON: null };
  private readonly counters = new Map<string, number>();
  private readonly unit: GeneratedInteraction[] = [];
  private readonly streams: Stream[] = [];
  private campaign = 0;
  /** The campaign that has reached every subscriber it could. */
  private exhausted = -1;
  private campaignSends = 0;
  private sendSpacing = 0;

  constructor(
    private readonly contacts: number,
    interactions: number,
    seed: number,
    start: string,
    seasons: number,
  ) {
    const catalogRng = new Rng(mulberry32(seed));
    this.calendar = new Calendar(start, seasons);
    this.performances = buildCatalog(catalogRng, this.calendar);
    this.campaigns = scheduleCampaigns(catalogRng, this.calendar);
    this.rng = new Rng(mulberry32((seed ^ 0x5bd1e995) >>> 0));
    this.ranking = new EngagementOrder(contacts, this.rng);
    this.recipients = new RankDraw(Math.max(1, Math.round(contacts * SUBSCRIBER_SHARE)), ...RECIPIENT_DRAW);
    this.supporters = new RankDraw(contacts, ...SUPPORTER_DRAW);
    this.sold = new Int32Array(this.performances.length);
    this.offer = new Offer(this.performances, this.sold);
    this.lastCampaign = new Int32Array(contacts).fill(-1);
    this.mailbox = Uint8Array.from({ length: contacts }, () => this.rng.int(0, OPEN_RATES.length - 1));

    const { days, month, date, weekday } = this.calendar;
    const totals = split(interactions, STREAM_SHARES);
    const byDay = (weight: (day: number) => number) => Float64Array.from({ length: days }, (_, day) => weight(day));
    const lastCampaignBy = new Int32Array(days);
    for (let day = 0, next = 0; day < days; day++) {
      while (next < this.campaigns.length && this.campaigns[next].day <= day) next++;
      lastCampaignBy[day] = next - 1;
    }
    const onSale = new Offer(this.performances, null);
    const weekend = (day: number) => weekday[day] === 0 || weekday[day] === 6;
    this.streams[STREAM.email] = {
      quota: new Quota(
        totals[STREAM.email],
        this.campaigns.map((campaign) => campaign.weight),
      ),
      slot: (day) => lastCampaignBy[day],
      make: () => this.send(),
    };
    this.streams[STREAM.tickets] = {
      quota: new Quota(
        totals[STREAM.tickets],
        byDay((day) => {
          onSale.build(day);
          const december = month[day] !== 11 ? 1 : date[day] <= 23 ? 1.4 : date[day] <= 26 ? 0.5 : 1;
          return onSale.total * PURCHASE_WEEKDAY[weekday[day]] * december;
        }),
      ),
      slot: (day) => day,
      make: (day) => this.purchase(day),
    };
    this.streams[STREAM.donations] = {
      quota: new Quota(
        totals[STREAM.donations],
        byDay((day) => {
          const yearEnd = month[day] === 11 && date[day] >= 26 ? 3 : 1;
          return DONATION_MONTH[month[day]] * yearEnd * (this.calendar.isGivingTuesday(day) ? 6 : 1);
        }),
      ),
      slot: (day) => day,
      make: (day) => this.donate(day),
    };
    this.streams[STREAM.memberships] = {
      quota: new Quota(
        totals[STREAM.memberships],
        byDay((day) => MEMBERSHIP_MONTH[month[day]] * (weekend(day) ? 0.7 : 1)),
      ),
      slot: (day) => day,
      make: (day) => this.join(day),
    };
    this.streams[STREAM.forms] = {
      quota: new Quota(
        totals[STREAM.forms],
        byDay((day) => EMAIL_MONTH[month[day]] * (weekend(day) ? 0.6 : 1)),
      ),
      slot: (day) => day,
      make: (day) => this.submit(day),
    };
  }

  *records(): Generator<GeneratedInteraction> {
    const { streams } = this;
    const from = new Float64Array(streams.length);
    const to = new Float64Array(streams.length);
    let sent = 0;
    for (let day = 0; day < this.calendar.days; day++) {
      for (; sent < this.campaigns.length && this.campaigns[sent].day <= day; sent++)
        this.recent[this.campaigns[sent].kind] = this.campaigns[sent];
      this.offer.build(day);
      streams.forEach((stream, i) => {
        from[i] = stream.quota.count;
        to[i] = stream.quota.target(stream.slot(day));
      });
      // Interleaved in proportion: the next unit comes from the stream least far along today.
      for (;;) {
        let next: Stream | null = null;
        let least = Infinity;
        for (let i = 0; i < streams.length; i++) {
          const progress = (streams[i].quota.count - from[i]) / (to[i] - from[i]);
          if (streams[i].quota.count < to[i] && progress < least) {
            least = progress;
            next = streams[i];
          }
        }
        if (next === null) break;
        next.make(day);
        for (const record of this.unit) {
          if (next.quota.count === next.quota.total) break;
          next.quota.count++;
          yield record;
        }
        this.unit.length = 0;
      }
    }
  }

  /** One send of the current campaign, and what came of it. */
  private send(): void {
    const { rng } = this;
    const quota = this.streams[STREAM.email].quota;
    while (quota.count >= quota.target(this.campaign)) {
      this.campaign++;
      this.campaignSends = 0;
    }
    const campaign = this.campaigns[this.campaign];
    if (this.campaignSends === 0)
      this.sendSpacing = SEND_WINDOW_MS / Math.max(1, (quota.target(this.campaign) - quota.count) / RECORDS_PER_SEND);
    const contact = this.recipient();
    const sentAt = campaign.sentAt + Math.floor(this.campaignSends++ * this.sendSpacing);
    this.email('EMAIL_SENT', contact, sentAt, campaign);
    const outcome = rng.float();
    if (outcome < BOUNCE_RATE) {
      this.email('EMAIL_BOUNCED', contact, sentAt + rng.int(2, 120) * 1000, campaign);
      return;
    }
    if (outcome >= BOUNCE_RATE + DELIVERY_RATE) return;
    let last = sentAt + rng.int(1, 20) * 1000;
    this.email('EMAIL_DELIVERED', contact, last, campaign);
    if (rng.chance(OPEN_RATES[this.mailbox[contact - 1] & ~UNSUBSCRIBED])) {
      const delay = Math.min(
        MAX_OPEN_DELAY_MS,
        Math.round(-Math.log(1 - rng.float()) * OPEN_DELAYS.pick(rng) * MINUTE_MS),
      );
      last = this.email('EMAIL_OPENED', contact, last + delay, campaign);
      if (rng.chance(CLICK_RATE)) last = this.email('EMAIL_CLICKED', contact, last + rng.int(5, 600) * 1000, campaign);
    }
    if (rng.chance(UNSUBSCRIBE_RATE)) {
      this.mailbox[contact - 1] |= UNSUBSCRIBED;
      this.email('EMAIL_UNSUBSCRIBED', contact, last + rng.int(10, 300) * 1000, campaign);
    }
  }

  /**
   * A subscriber the campaign has not reached and who has not left. Only a campaign with more
   * sends than such subscribers (at absurd records per contact) reaches someone twice.
   */
  private recipient(): number {
    let contact = 0;
    for (let draw = 0; draw < RECIPIENT_DRAWS; draw++) {
      contact = this.ranking.contact(this.recipients.draw(this.rng));
      if (this.reachable(contact)) return this.reach(contact);
    }
    // The draws keep hitting the most engaged, already reached: sweep the list, once per campaign at most.
    for (let step = 0; this.exhausted !== this.campaign && step < this.recipients.size; step++) {
      contact = this.ranking.contact(this.recipients.sweep());
      if (this.reachable(contact)) return this.reach(contact);
    }
    this.exhausted = this.campaign;
    return this.reach(contact);
  }

  private reachable(contact: number): boolean {
    return this.lastCampaign[contact - 1] !== this.campaign && (this.mailbox[contact - 1] & UNSUBSCRIBED) === 0;
  }

  private reach(contact: number): number {
    this.lastCampaign[contact - 1] = this.campaign;
    return contact;
  }

  /** An email event, unless it would come after the period (then its consequences do too). Returns its instant. */
  private email(type: InteractionKind, contact: number, at: number, campaign: Campaign): number {
    if (at < this.calendar.endMs) {
      const record = this.add(type, contact, at);
      record.channel = 'email';
      record.campaign = campaign.ref;
    }
    return at;
  }

  /** An order of tickets for a performance on sale, and most of the time its attendance. */
  private purchase(day: number): void {
    const { rng, calendar } = this;
    const picked = this.offer.pick(rng);
    const performance = this.performances[picked];
    let quantity = QUANTITIES.pick(rng);
    const left = performance.capacity - this.sold[picked];
    if (left > 0) {
      quantity = Math.min(quantity, left);
      this.sold[picked] += quantity;
      if (quantity === left) this.offer.build(day);
    }
    const sameDay = performance.day === day;
    const channel = (sameDay ? SAME_DAY_CHANNELS : ADVANCE_CHANNELS).pick(rng);
    // An exhibition's entry time is the buyer's choice: every half hour from 10:00 to 16:30.
    const start = performance.start >= 0 ? performance.start : 10 * 60 + 30 * rng.int(0, 13);
    const minute = this.minuteOf(channel);
    const boughtAt = calendar.at(day, sameDay ? Math.min(minute, start - rng.int(10, 90)) : minute);
    const contact = this.ranking.contact(this.supporters.draw(rng));
    const unitCents = rng.chance(REDUCED_SHARE)
      ? Math.round((performance.offering.priceCents * REDUCED_PRICE) / 25) * 25
      : performance.offering.priceCents;

    const order = this.add('TICKET_PURCHASE', contact, boughtAt);
    this.describe(order, performance.offering);
    order.amountCents = unitCents * quantity;
    order.currency = 'CAD';
    order.quantity = quantity;
    order.channel = channel;
    const promo = this.latest('NL', 'PROMO');
    if (
      channel === 'web' &&
      promo &&
      promo.sentAt < boughtAt &&
      day - promo.day <= PROMO_DAYS &&
      rng.chance(PROMO_SHARE)
    )
      order.campaign = promo.ref;

    if (rng.chance(ATTENDANCE_RATE)) {
      const doors = performance.start >= 0 ? start - rng.int(0, 40) : start + rng.int(0, 20);
      const attendance = this.add(
        'ATTENDANCE',
        contact,
        Math.max(calendar.at(performance.day, doors), boughtAt + rng.int(1, 10) * MINUTE_MS),
      );
      this.describe(attendance, performance.offering);
      attendance.quantity = quantity > 1 && rng.chance(0.1) ? quantity - 1 : quantity;
    }
  }

  private donate(day: number): void {
    const { rng } = this;
    const channel = DONATION_CHANNELS.pick(rng);
    const at = this.calendar.at(day, this.minuteOf(channel));
    const gift = this.add('DONATION', this.ranking.contact(this.supporters.draw(rng)), at);
    gift.amountCents = (channel === 'box_office' ? SMALL_GIFTS : GIFTS).pick(rng) * 100;
    gift.currency = 'CAD';
    gift.channel = channel;
    const appeal = this.recent.DON;
    if (appeal && appeal.sentAt < at && day - appeal.day <= APPEAL_DAYS && rng.chance(APPEAL_SHARE))
      gift.campaign = appeal.ref;
  }

  private join(day: number): void {
    const { rng } = this;
    const channel = MEMBERSHIP_CHANNELS.pick(rng);
    const membership = this.add(
      'MEMBERSHIP',
      this.ranking.contact(this.supporters.draw(rng)),
      this.calendar.at(day, this.minuteOf(channel)),
    );
    membership.amountCents = MEMBERSHIP_FEES_CENTS.pick(rng);
    membership.currency = 'CAD';
    membership.channel = channel;
  }

  /** A web form from anyone: a contest for an offering on sale, else a sign-up or survey, some from a newsletter. */
  private submit(day: number): void {
    const { rng } = this;
    const at = this.calendar.at(day, this.minuteOf('web'));
    const form = this.add('FORM_SUBMISSION', rng.int(1, this.contacts), at);
    form.channel = 'web';
    if (this.offer.total > 0 && rng.chance(CONTEST_SHARE)) {
      this.describe(form, this.performances[this.offer.pick(rng)].offering);
      return;
    }
    const newsletter = this.recent.NL;
    if (
      newsletter &&
      newsletter.sentAt < at &&
      day - newsletter.day <= FORM_CAMPAIGN_DAYS &&
      rng.chance(FORM_CAMPAIGN_SHARE)
    )
      form.campaign = newsletter.ref;
  }

  private minuteOf(channel: SalesChannel): number {
    return HOURS[channel].pick(this.rng) * 60 + this.rng.int(0, 59);
  }

  private latest(a: CampaignKind, b: CampaignKind): Campaign | null {
    const [first, second] = [this.recent[a], this.recent[b]];
    return first === null || (second !== null && second.sentAt > first.sentAt) ? second : first;
  }

  private describe(record: GeneratedInteraction, offering: Offering): void {
    record.offeringId = offering.id;
    record.offeringName = offering.name;
    record.discipline = offering.discipline;
    record.venue = offering.venue;
  }

  private add(type: InteractionKind, contact: number, at: number): GeneratedInteraction {
    const [source, letter] = ORIGIN[type];
    const counter = (this.counters.get(letter) ?? 0) + 1;
    this.counters.set(letter, counter);
    const record: GeneratedInteraction = {
      contactExternalId: `C${String(contact).padStart(7, '0')}`,
      type,
      occurredAt: isoInstant(outsideRepeatedHour(at)),
      offeringId: null,
      offeringName: null,
      discipline: null,
      venue: null,
      amountCents: null,
      currency: null,
      quantity: null,
      channel: null,
      campaign: null,
      source,
      externalId: `${letter}${String(counter).padStart(8, '0')}`,
    };
    this.unit.push(record);
    return record;
  }
}

/**
 * Exactly `interactions` records about contacts 1..`contacts`, one at a time, in the order
 * described at the top of this file; the same options always give the same records.
 */
export function generateInteractions(options: EngagementOptions): Generator<GeneratedInteraction> {
  const { contacts, interactions } = options;
  const seed = options.seed ?? DEFAULT_SEED;
  const start = options.start ?? DEFAULT_START;
  const seasons = options.seasons ?? DEFAULT_SEASONS;
  if (!Number.isInteger(contacts) || contacts < 1 || contacts > MAX_CONTACTS)
    throw new Error(`contacts must be an integer from 1 to ${MAX_CONTACTS}`);
  if (!Number.isInteger(interactions) || interactions < 0)
    throw new Error('interactions must be a non-negative integer');
  if (!Number.isInteger(seed)) throw new Error('seed must be an integer');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(start) || new Date(`${start}T00:00:00Z`).toISOString().slice(0, 10) !== start)
    throw new Error('start must be a date, YYYY-MM-DD');
  if (!Number.isInteger(seasons) || seasons < 1) throw new Error('seasons must be a positive integer');
  return new EngagementGenerator(contacts, interactions, seed, start, seasons).records();
}

// --- Output forms ----------------------------------------------------------------------------

/** A box office's export, one row per interaction. */
export const ENGAGEMENT_CSV_HEADERS = [
  'No transaction',
  'No client',
  'Type',
  'Date',
  'Spectacle',
  'No spectacle',
  'Discipline',
  'Salle',
  'Montant',
  'Devise',
  'Quantité',
  'Canal',
  'Campagne',
  'Source',
] as const;

/**
 * A record as CSV cells, in ENGAGEMENT_CSV_HEADERS order, '' for null: the date as Toronto
 * wall time to the minute ("2025-10-03 19:30"), the amount in dollars with a dot ("45.50").
 */
export function toCsvCells(record: GeneratedInteraction): string[] {
  const cents = record.amountCents;
  return [
    record.externalId,
    record.contactExternalId,
    record.type,
    torontoWallTime(Date.parse(record.occurredAt)),
    record.offeringName ?? '',
    record.offeringId ?? '',
    record.discipline ?? '',
    record.venue ?? '',
    cents === null ? '' : `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`,
    record.currency ?? '',
    record.quantity === null ? '' : String(record.quantity),
    record.channel ?? '',
    record.campaign ?? '',
    record.source,
  ];
}

/** One element of the input of the `recordInteractions(input: [InteractionInput!]!)` mutation. */
export interface InteractionInput {
  contact: { externalId: { source: string; externalId: string } };
  type: InteractionKind;
  occurredAt: string;
  offering?: { id: string; name: string };
  discipline?: Discipline;
  venue?: string;
  amountCents?: number;
  currency?: 'CAD';
  quantity?: number;
  channel?: InteractionChannel;
  campaign?: string;
  source: InteractionSource;
  externalId: string;
}

/**
 * The record as mutation input, null fields left out. The contact is found by its customer
 * number under `contactSource`: the source its contacts import was given.
 */
export function toGraphqlInput(record: GeneratedInteraction, contactSource = 'billetterie'): InteractionInput {
  return {
    contact: { externalId: { source: contactSource, externalId: record.contactExternalId } },
    type: record.type,
    occurredAt: record.occurredAt,
    ...(record.offeringId !== null &&
      record.offeringName !== null && { offering: { id: record.offeringId, name: record.offeringName } }),
    ...(record.discipline !== null && { discipline: record.discipline }),
    ...(record.venue !== null && { venue: record.venue }),
    ...(record.amountCents !== null && { amountCents: record.amountCents }),
    ...(record.currency !== null && { currency: record.currency }),
    ...(record.quantity !== null && { quantity: record.quantity }),
    ...(record.channel !== null && { channel: record.channel }),
    ...(record.campaign !== null && { campaign: record.campaign }),
    source: record.source,
    externalId: record.externalId,
  };
}

// --- CSV file --------------------------------------------------------------------------------

export interface WriteEngagementCsvResult {
  file: string;
  records: number;
  bytes: number;
  byType: Record<InteractionKind, number>;
  ms: number;
}

const CSV_OPTIONS = { delimiter: ';', record_delimiter: 'windows' } as const;
const CHUNK_ROWS = 5_000;
const NEEDS_QUOTES = /[;"\r\n]/;

/**
 * The record as a line of the CSV file (";", CRLF), as csv-stringify writes it. Only a row that
 * needs quotes goes through csv-stringify: its general machinery costs ~8 µs a row, five times
 * the making of the record; the others are joined here.
 */
export function toCsvLine(record: GeneratedInteraction): string {
  const cells = toCsvCells(record);
  return cells.some((cell) => NEEDS_QUOTES.test(cell))
    ? stringify([cells], CSV_OPTIONS)
    : `${cells.join(CSV_OPTIONS.delimiter)}\r\n`;
}

/** Writes the records as CSV, streaming: at most CHUNK_ROWS rows are held at a time. */
export async function writeEngagementCsv(file: string, options: EngagementOptions): Promise<WriteEngagementCsvResult> {
  const started = performance.now();
  const out = createWriteStream(file);
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  let bytes = 0;
  const write = async (text: string) => {
    const buffer = Buffer.from(text, 'utf8');
    bytes += buffer.length;
    if (!out.write(buffer)) await Promise.race([once(out, 'drain'), failed]);
  };

  const byType = Object.fromEntries(INTERACTION_KINDS.map((kind) => [kind, 0])) as Record<InteractionKind, number>;
  await write(stringify([[...ENGAGEMENT_CSV_HEADERS]], CSV_OPTIONS));
  let chunk = '';
  let rows = 0;
  for (const record of generateInteractions(options)) {
    byType[record.type]++;
    chunk += toCsvLine(record);
    if (++rows % CHUNK_ROWS === 0) {
      await write(chunk);
      chunk = '';
    }
  }
  if (chunk) await write(chunk);
  out.end();
  await Promise.race([once(out, 'finish'), failed]);
  return { file, records: options.interactions, bytes, byType, ms: Math.round(performance.now() - started) };
}

// --- CLI ---------------------------------------------------------------------------------------

async function cli(args: string[]): Promise<void> {
  const contacts = Number(cliOption(args, 'contacts') ?? 1_000_000);
  const interactions = Number(cliOption(args, 'interactions') ?? 10_000_000);
  const seed = Number(cliOption(args, 'seed') ?? DEFAULT_SEED);
  const start = cliOption(args, 'start') ?? DEFAULT_START;
  const seasons = Number(cliOption(args, 'seasons') ?? DEFAULT_SEASONS);
  const out = path.resolve(cliOption(args, 'out') ?? `interactions-${interactions}.csv`);
  const result = await writeEngagementCsv(out, { contacts, interactions, seed, start, seasons });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  cli(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
