/**
 * Held-out set "people": synthetic Quebec people, English and French-Canadian, about 4 records a person (1 to 8),
 * fields first name, last name, birth date, city and email, the way box-office and newsletter exports go wrong.
 * Labelled (`person`), deterministic for a seed, independent of the matcher (see held-out-support.ts).
 *
 * People come in groups: alone (62%), families (28%: 2–4 people sharing the last name, the city and the email
 * domain, a shared family address for 30% of them, twins with one birth date in 10% of families, a father and son
 * with one full name in 8%), and namesake pairs (10%: a common first and last name, the same birth year 40% of the
 * time, the same city 50%). Frequent names make more namesakes on their own.
 *
 * Every record (there is no clean original: each is drawn from the hidden truth) independently:
 * - missing: first name 8%, last name 6%, birth date 20%, city 15%, email 25%;
 * - names: a typo 11% first, 13% last (keyboard 60%, OCR 20%, spelled by ear 20%), a second one 2%; first and last
 *   swapped 7%; the whole name in the first-name column 2%; a compound first name with a space or only its first
 *   part 30% / 10%; one part of a double last name 25%; capitals 10%, lower case 4%, no accents 15%;
 * - birth date: day and month transposed 5% (impossible when the day is over 12), a year typo 3%, a day off 3%,
 *   another date altogether 1.5%; written 2004/05/06 or 20040506 10% each;
 * - city: another usual spelling or abbreviation 22% (Mtl, St-Jérôme, Quebec City), a typo 6%, capitals 8%;
 * - email: another domain 8%, a typo in the domain 3% or in the local part 4%, dots or digits changed 8%, another
 *   address altogether (work, older) 7%, malformed (no @, a space, a double @) 3%, capitals 3%.
 */
import type { Rng } from '@app/fixtures';
import {
  addDays,
  byEar,
  collect,
  dateFormat,
  exportCase,
  type HeldOutOptions,
  type HeldOutRow,
  iso,
  keyboardTypo,
  ocrError,
  randomDate,
  streamOf,
  stripAccents,
  transposed,
  type Ymd,
  yearTypo,
  zipf,
} from './held-out-support.js';

const words = (text: string): string[] => text.trim().split(/\s+/);

const FR_FIRST = words(`Marie Jean Pierre Louise Michel Sylvie Jacques Nathalie François Julie Luc Isabelle Daniel
  Chantal Mario Johanne Alain Lise Claude Manon Robert Diane Stéphane Josée Sylvain Caroline Martin Mélanie Éric
  Geneviève Patrick Annie Sébastien Catherine Mathieu Marie-Ève Jean-François Émilie Guillaume Véronique Maxime
  Stéphanie Simon Valérie Alexandre Audrey Gabriel Camille William Léa Samuel Florence Olivier Jeanne Félix Rosalie
  Antoine Chloé Thomas Noémie Jean-Philippe Marie-Claude Réjean Hélène Gilles Ginette Denis Francine Yves Nicole
  Benoît Jocelyne Frédéric Marie-Josée Louis Anne-Marie`);
const EN_FIRST = words(`John Mary Michael Sarah David Jennifer James Elizabeth Robert Susan William Karen Richard
  Linda Thomas Patricia Christopher Barbara Daniel Margaret Matthew Lisa Andrew Nancy Mark Catherine Paul Jessica
  Steven Emily Kevin Rebecca Brian Laura Jason Heather Ryan Amanda Peter Rachel Ian Megan Scott Lauren Kenneth
  Stephanie Gary Nicole Eric Hannah Sean Victoria Patrick Olivia Timothy Emma Jonathan Grace Adam Sophie Neil
  Claire Colin Fiona Graham Alison`);
const FR_LAST = words(`Tremblay Gagnon Roy Côté Bouchard Gauthier Morin Lavoie Fortin Gagné Ouellet Pelletier
  Bélanger Lévesque Bergeron Leblanc Paquette Girard Simard Boucher Caron Beaulieu Cloutier Dubé Poirier Fournier
  Lapointe Leclerc Lefebvre Poulin Thibault St-Pierre Nadeau Martin Landry Martel Bédard Grenier Lessard Bernier
  Richard Michaud Hébert Desjardins Couture Turcotte Lachance Parent Blais Gosselin Savard Proulx Beaudoin Demers
  Perreault Boudreau Lemieux Cyr Perron Dufour Dion Mercier Bolduc Bérubé Boisvert Langlois Ménard Laplante Dumont
  Vaillancourt D'Amours Deschênes Laflamme Després Lamoureux Charbonneau Théberge Racine Bissonnette`);
const EN_LAST = words(`Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Martin
  Jackson Thompson White Harris Clark Lewis Robinson Walker Young Allen King Wright Scott Hill Green Adams Baker
  Campbell Mitchell Roberts Carter Phillips Evans Turner Parker Collins Edwards Stewart Morris Murphy Cook Rogers
  Morgan Cooper Peterson Reed Bailey Bell Kelly Howard Ward Cox Richardson Wood Watson Brooks Bennett Gray Hughes
  Price Sanders Myers Long Ross Foster MacDonald McKenzie O'Brien Fraser Sullivan Kennedy Walsh Reid`);

/** Cities with the ways forms and clerks write them, and a weight (roughly the public of the organizations). */
const CITIES: readonly (readonly [readonly string[], number])[] = [
  [['Montréal', 'Montreal', 'Mtl', 'Montréal (Québec)', 'Montreal, QC', 'MTL'], 30],
  [['Québec', 'Quebec', 'Ville de Québec', 'Quebec City', 'Québec City'], 12],
  [['Laval', 'Laval, QC', 'Ville de Laval'], 7],
  [['Gatineau', 'Gatineau, Qc', 'Hull'], 5],
  [['Longueuil', 'Longueil', 'Ville de Longueuil'], 5],
  [['Sherbrooke', 'Sherbrooke, QC'], 4],
  [['Saguenay', 'Chicoutimi', 'Ville de Saguenay'], 3],
  [['Lévis', 'Levis'], 3],
  [['Trois-Rivières', 'Trois Rivieres', 'Trois-Rivieres', '3-Rivières', 'T-R'], 3],
  [['Terrebonne', 'Terrebone'], 2],
  [['Saint-Jean-sur-Richelieu', 'St-Jean-sur-Richelieu', 'St-Jean', 'St Jean sur Richelieu'], 2],
  [['Brossard', 'Brossard, QC'], 2],
  [['Repentigny', 'Repentigny (Qc)'], 2],
  [['Saint-Jérôme', 'St-Jérôme', 'St-Jerome', 'St Jerome', 'Saint-Jerome'], 2],
  [['Drummondville', 'Drummondville, QC'], 2],
  [['Granby'], 1.5],
  [['Saint-Hyacinthe', 'St-Hyacinthe', 'St Hyacinthe', 'Ste-Hyacinthe'], 1.5],
  [['Blainville'], 1.5],
  [['Dollard-Des Ormeaux', 'Dollard-des-Ormeaux', 'DDO', 'Dollard Des Ormeaux'], 1],
  [['Châteauguay', 'Chateauguay'], 1],
  [['Rimouski'], 1],
  [['Sainte-Julie', 'Ste-Julie', 'Ste Julie'], 1],
  [['Pointe-Claire', 'Pte-Claire', 'Pointe Claire'], 1],
  [['Mont-Royal', 'Town of Mount Royal', 'TMR', 'Ville Mont-Royal'], 1],
  [['Westmount'], 1],
  [['Côte-Saint-Luc', 'Cote St-Luc', 'Côte St-Luc', 'CSL'], 1],
  [['Ottawa', 'Ottawa, ON'], 1],
];

const DOMAINS: readonly (readonly [string, number])[] = [
  ['gmail.com', 34],
  ['hotmail.com', 16],
  ['videotron.ca', 12],
  ['outlook.com', 8],
  ['yahoo.ca', 6],
  ['yahoo.com', 4],
  ['sympatico.ca', 5],
  ['bell.net', 3],
  ['icloud.com', 4],
  ['live.ca', 3],
  ['hotmail.fr', 2],
  ['globetrotter.net', 1],
  ['cgocable.ca', 1],
  ['ulaval.ca', 1],
  ['umontreal.ca', 1],
];
const WORK_DOMAINS = [
  'desjardins.com',
  'hydro.qc.ca',
  'videotron.com',
  'ssss.gouv.qc.ca',
  'cssdm.gouv.qc.ca',
  'bell.ca',
];
const DOMAIN_TYPOS: Readonly<Record<string, string[]>> = {
  'gmail.com': ['gmial.com', 'gmail.con', 'gmal.com', 'gmail.ca', 'gnail.com'],
  'hotmail.com': ['hotmial.com', 'hotmail.con', 'hotmal.com', 'hotmail.ca'],
  'videotron.ca': ['videotron.com', 'vidéotron.ca', 'videotrom.ca', 'videtron.ca'],
  'yahoo.ca': ['yahoo.com', 'yaho.ca', 'yahoo.c'],
  'outlook.com': ['outlok.com', 'outlook.fr'],
  'sympatico.ca': ['sympatico.com', 'simpatico.ca'],
};

const TAG = { group: 1, person: 2, record: 3 } as const;

interface Person {
  label: string;
  group: number;
  index: number;
  culture: 'fr' | 'en';
  first: string;
  last: string;
  birth: Ymd;
  city: readonly string[];
  email: string;
  /** another address the person gives now and then (work, an older one) */
  otherEmail: string;
  records: number;
}

const slug = (text: string): string =>
  stripAccents(text)
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '');

function emailFor(rng: Rng, first: string, last: string, birth: Ymd, domain: string): string {
  const f = slug(first).replace(/-/g, '');
  const l = slug(last).replace(/-/g, '');
  const digits = rng.chance(0.5) ? String(birth.year % 100).padStart(2, '0') : String(rng.int(1, 999));
  const local = rng.weighted<string>([
    [`${f}.${l}`, 30],
    [`${f}${l}`, 14],
    [`${f[0] ?? 'x'}${l}`, 14],
    [`${f[0] ?? 'x'}.${l}`, 6],
    [`${f}_${l}`, 5],
    [`${f}.${l}${digits}`, 10],
    [`${f}${digits}`, 8],
    [`${l}${f[0] ?? ''}`, 5],
    [`${f}.${l[0] ?? ''}`, 4],
    [`${l}.${f}`, 4],
  ]);
  return `${local}@${domain}`;
}

const RECORDS_PER_PERSON: readonly (readonly [number, number])[] = [
  [1, 10],
  [2, 13],
  [3, 17],
  [4, 21],
  [5, 15],
  [6, 10],
  [7, 7],
  [8, 7],
];

function firstNames(culture: 'fr' | 'en'): [string, number][] {
  return zipf(culture === 'fr' ? FR_FIRST : EN_FIRST, 6);
}
function lastNames(culture: 'fr' | 'en'): [string, number][] {
  return zipf(culture === 'fr' ? FR_LAST : EN_LAST, 3);
}

/** The people of group `group`: one, a family or namesakes. */
function groupPeople(seed: number, group: number): Person[] {
  const rng = streamOf(seed, TAG.group, group);
  const kind = rng.weighted<'single' | 'family' | 'namesakes'>([
    ['single', 62],
    ['family', 28],
    ['namesakes', 10],
  ]);
  const culture = rng.chance(0.68) ? 'fr' : 'en';
  const label = (i: number) => `${seed}-${group}-${i}`;
  const city = rng.weighted(CITIES);
  const base = (i: number, prng: Rng, over: Partial<Person> = {}): Person => {
    const cultureOf = over.culture ?? (prng.chance(0.9) ? culture : culture === 'fr' ? 'en' : 'fr');
    let last = over.last ?? prng.weighted(lastNames(cultureOf));
    if (!over.last && cultureOf === 'fr' && prng.chance(0.08)) last = `${last}-${prng.weighted(lastNames('fr'))}`;
    const first = over.first ?? prng.weighted(firstNames(cultureOf));
    const birth = over.birth ?? randomDate(prng, 1935, 2008);
    const domain = prng.weighted(DOMAINS);
    return {
      label: label(i),
      group,
      index: i,
      culture: cultureOf,
      first,
      last,
      birth,
      city: over.city ?? (prng.chance(0.93) ? city : prng.weighted(CITIES)),
      email: over.email ?? emailFor(prng, first, last, birth, domain),
      otherEmail: emailFor(
        prng,
        first,
        last,
        birth,
        prng.chance(0.5) ? prng.pick(WORK_DOMAINS) : prng.weighted(DOMAINS),
      ),
      records: prng.weighted(RECORDS_PER_PERSON),
    };
  };
  const people: Person[] = [];
  if (kind === 'single') people.push(base(0, rng));
  else if (kind === 'namesakes') {
    const first = rng.weighted(firstNames(culture).slice(0, 12));
    const last = rng.weighted(lastNames(culture).slice(0, 10));
    const one = base(0, rng, { culture, first, last });
    const sameYear = rng.chance(0.4);
    const other = base(1, rng, {
      culture,
      first,
      last,
      birth: sameYear ? { ...randomDate(rng, one.birth.year, one.birth.year) } : undefined,
      city: rng.chance(0.5) ? one.city : rng.weighted(CITIES),
    });
    if (iso(other.birth) === iso(one.birth)) other.birth = addDays(one.birth, rng.int(20, 200));
    people.push(one, other);
  } else {
    // a family: the children's surname, one city, one email domain, sometimes one shared address
    const last = rng.weighted(lastNames(culture));
    const domain = rng.weighted(DOMAINS);
    const size = rng.int(2, 4);
    const shared = rng.chance(0.3)
      ? emailFor(rng, rng.weighted(firstNames(culture)), last, randomDate(rng, 1950, 1990), domain)
      : null;
    const parent = base(0, rng, { culture, last, city });
    parent.email = shared ?? emailFor(rng, parent.first, last, parent.birth, domain);
    people.push(parent);
    const twins = rng.chance(0.1);
    const junior = rng.chance(0.08);
    let twinBirth: Ymd | null = null;
    for (let i = 1; i < size; i++) {
      const prng = streamOf(seed, TAG.person, group, i);
      const year = Math.min(2008, parent.birth.year + prng.int(22, 38));
      let birth = randomDate(prng, year, year);
      if (twins && i >= 2 && twinBirth) birth = twinBirth;
      twinBirth ??= birth;
      let first = prng.weighted(firstNames(culture));
      if (junior && i === 1) first = parent.first;
      else while (people.some((p) => p.first === first)) first = prng.weighted(firstNames(culture));
      const member = base(i, prng, { culture, last, city, first, birth });
      member.email = shared && prng.chance(0.6) ? shared : emailFor(prng, first, last, birth, domain);
      people.push(member);
    }
  }
  return people;
}

function typo(rng: Rng, word: string): string {
  const roll = rng.float();
  return roll < 0.6 ? keyboardTypo(rng, word) : roll < 0.8 ? ocrError(rng, word) : byEar(rng, word);
}

function compoundFirst(rng: Rng, first: string): string {
  if (!first.includes('-')) return first;
  const roll = rng.float();
  if (roll < 0.3) return first.replace('-', ' ');
  if (roll < 0.4) return first.split('-')[0];
  return first;
}

function emailVariant(rng: Rng, person: Person): string {
  const [local, domain] = person.email.split('@');
  const roll = rng.float();
  let result = person.email;
  if (roll < 0.08) result = `${local}@${rng.weighted(DOMAINS.filter(([d]) => d !== domain))}`;
  else if (roll < 0.11) result = `${local}@${rng.pick(DOMAIN_TYPOS[domain] ?? [keyboardTypo(rng, domain)])}`;
  else if (roll < 0.15) result = `${keyboardTypo(rng, local)}@${domain}`;
  else if (roll < 0.23) {
    const plain = local.replace(/[._]/g, '');
    result = plain !== local && rng.chance(0.6) ? `${plain}@${domain}` : `${local}${rng.int(1, 99)}@${domain}`;
  } else if (roll < 0.3) result = person.otherEmail;
  else if (roll < 0.33) {
    const malformed = rng.int(0, 3);
    result =
      malformed === 0
        ? `${local}${domain}`
        : malformed === 1
          ? `${local} @${domain}`
          : malformed === 2
            ? `${local}@@${domain}`
            : `${local}@${domain.replace(/\.[a-z]+$/, '')}`;
  }
  return rng.chance(0.03) ? result.toUpperCase() : result;
}

function birthVariant(rng: Rng, birth: Ymd): string {
  const roll = rng.float();
  if (roll < 0.05) return transposed(birth);
  let date = birth;
  if (roll < 0.08) date = { ...birth, year: yearTypo(rng, birth.year) };
  else if (roll < 0.11) date = addDays(birth, rng.chance(0.5) ? 1 : -1);
  else if (roll < 0.125) date = randomDate(rng, 1935, 2008);
  return dateFormat(rng, date, { slashes: 0.1, compact: 0.1 });
}

function record(seed: number, person: Person, k: number): HeldOutRow {
  const rng = streamOf(seed, TAG.record, person.group, person.index * 16 + k);
  let first: string | null = compoundFirst(rng, person.first);
  let last: string | null = person.last;
  if (last.includes('-') && rng.chance(0.25)) last = rng.pick(last.split('-'));
  if (rng.chance(0.11)) first = typo(rng, first);
  if (rng.chance(0.13)) last = typo(rng, last);
  if (rng.chance(0.02)) first = typo(rng, first);
  if (rng.chance(0.02)) last = typo(rng, last);
  const caseRates = { upper: 0.1, lower: 0.04, accentless: 0.15 };
  first = exportCase(rng, first, caseRates);
  last = exportCase(rng, last, caseRates);
  if (rng.chance(0.07)) [first, last] = [last, first];
  else if (rng.chance(0.02)) [first, last] = [`${first} ${last}`, null];
  if (rng.chance(0.08)) first = null;
  if (rng.chance(0.06)) last = null;

  let city: string | null = person.city[0];
  if (rng.chance(0.22) && person.city.length > 1) city = rng.pick(person.city.slice(1));
  if (rng.chance(0.06)) city = keyboardTypo(rng, city);
  if (rng.chance(0.08)) city = city.toUpperCase();
  if (rng.chance(0.15)) city = null;

  return {
    person: person.label,
    firstName: first,
    lastName: last,
    email: rng.chance(0.25) ? null : emailVariant(rng, person),
    birthDate: rng.chance(0.2) ? null : birthVariant(rng, person.birth),
    city,
    postalCode: null,
  };
}

/** The "people" held-out set: labelled rows in a shuffled order, deterministic for the options. */
export function generateSyntheticPeople(options: HeldOutOptions): HeldOutRow[] {
  return collect(options, (group) =>
    groupPeople(options.seed, group).flatMap((person) =>
      Array.from({ length: person.records }, (_, k) => record(options.seed, person, k)),
    ),
  );
}
