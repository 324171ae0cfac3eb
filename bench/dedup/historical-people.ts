/**
 * Held-out set "historical": people as a public knowledge base and the registers and dictionaries it was merged from
 * describe them (Canadian, French and British people, 1650–1940), up to 21 records a person, long-tailed (most have
 * 1–3), fields first name, last name, birth date, birth place (→ city) and postcode. Labelled (`person`),
 * deterministic for a seed, independent of the matcher (see held-out-support.ts).
 *
 * Records per person: 1 (40%), 2 (22%), 3 (13%), 4 (7%), 5 (5%), 6–8 (7%), 9–12 (3.5%), 13–21 (2.5%).
 * People: one to three given names, the usual one the first (80%) or the second ("Joseph-Arthur" called Arthur);
 * 14% bear a title (Sir, Dr, Rev., Mgr, Lady, Hon., Abbé, Sœur, Capt., Col.). Hard negatives: namesake groups (7% of
 * groups: 2–3 people with one usual name and surname, the same birth year 30% of the time, the same birth place
 * 40%), fathers and sons with one full name (5%: the son born 20–40 years later, in the same place 70% of the time,
 * Jr./Sr. on 30% of their records), siblings (8%: a surname and a birth place, born a few years apart); frequent
 * names (John Smith, Joseph Tremblay) make more on their own.
 *
 * Every record independently:
 * - first name: the usual name alone 45%, all given names 20%, the usual name and middle initials 10%, a nickname
 *   (William → Bill, Elizabeth → Betty) 8%, an abbreviation (Wm., Geo., Jos., J.-B.) 5%, initials only 4%, else the
 *   first given name; a title before it on 45% of a titled person's records, an honorific (Mr., Mme, Hon.) on 3% of
 *   the others' records; missing 3%;
 * - last name: another form of it 18% (Mc/Mac, St-/Saint-, with or without its particle, one side of a "dit" name);
 *   missing 2%; typos 6% first, 7% last (OCR 50%, keyboard 30%, by ear 20%); first and last swapped 2%; capitals 6%;
 * - birth date: the full date 55%, the year alone 25% ("1867", "c. 1867"), missing 20%. A full date is a year off 6%,
 *   day and month swapped 4%, a baptism date (1–14 days later) 5%, Julian rather than Gregorian (11 days) 2% before
 *   1800, a day off 3%, another date 1.5%; a year alone is a year off 8%;
 * - birth place: another name of the town 30% (Three Rivers, Bytown, "London, England"), missing 25%, a typo 4%;
 * - postcode: the town's postcode (one of its districts', in big towns) 45%, else missing.
 */
import type { Rng } from '@app/fixtures';
import {
  addDays,
  byEar,
  collect,
  exportCase,
  type HeldOutOptions,
  type HeldOutRow,
  iso,
  keyboardTypo,
  ocrError,
  randomDate,
  streamOf,
  transposed,
  type Ymd,
} from './held-out-support.js';

/** A given name and its short forms: [name, nicknames, abbreviations]. */
type Given = readonly [string, readonly string[], readonly string[]];

const EN_MALE: readonly Given[] = [
  ['John', ['Jack', 'Johnny'], ['Jno.']],
  ['William', ['Bill', 'Will', 'Billy'], ['Wm.']],
  ['James', ['Jim', 'Jamie'], ['Jas.']],
  ['Thomas', ['Tom', 'Tommy'], ['Thos.']],
  ['George', ['Georgie'], ['Geo.']],
  ['Charles', ['Charlie', 'Chuck'], ['Chas.']],
  ['Robert', ['Bob', 'Rob', 'Bobby'], ['Robt.']],
  ['Henry', ['Harry', 'Hal'], ['Hy.']],
  ['Joseph', ['Joe'], ['Jos.']],
  ['Edward', ['Ted', 'Ned', 'Eddie'], ['Edw.']],
  ['Richard', ['Dick', 'Rick'], ['Richd.']],
  ['Samuel', ['Sam'], ['Saml.']],
  ['Alexander', ['Alex', 'Sandy'], ['Alexr.']],
  ['David', ['Davy'], []],
  ['Andrew', ['Andy'], ['Andw.']],
  ['Benjamin', ['Ben'], ['Benj.']],
  ['Frederick', ['Fred'], ['Fredk.']],
  ['Francis', ['Frank'], ['Fras.']],
  ['Arthur', ['Art'], []],
  ['Patrick', ['Pat', 'Paddy'], []],
  ['Hugh', [], []],
  ['Archibald', ['Archie'], ['Archd.']],
  ['Daniel', ['Dan'], ['Danl.']],
  ['Donald', ['Don'], []],
  ['Walter', ['Walt'], []],
  ['Albert', ['Bert'], []],
  ['Alfred', ['Alf', 'Fred'], []],
  ['Edmund', ['Ned'], []],
  ['Duncan', [], []],
  ['Angus', [], []],
];
const EN_FEMALE: readonly Given[] = [
  ['Mary', ['Polly', 'Molly', 'May'], []],
  ['Elizabeth', ['Betty', 'Bess', 'Eliza', 'Lizzie', 'Beth'], ['Eliz.']],
  ['Margaret', ['Maggie', 'Peggy', 'Meg'], ['Margt.']],
  ['Catherine', ['Kate', 'Kitty'], []],
  ['Anne', ['Nancy', 'Annie'], []],
  ['Sarah', ['Sally'], []],
  ['Jane', ['Jenny', 'Jennie'], []],
  ['Eleanor', ['Nell', 'Ellie'], []],
  ['Frances', ['Fanny'], []],
  ['Martha', ['Patsy', 'Mattie'], []],
  ['Dorothy', ['Dolly', 'Dot'], []],
  ['Helen', ['Nellie'], []],
  ['Charlotte', ['Lottie'], []],
  ['Isabella', ['Bella', 'Isabel'], []],
  ['Harriet', ['Hattie'], []],
  ['Emily', ['Emmy'], []],
  ['Agnes', ['Nessie'], []],
  ['Louisa', ['Lou'], []],
];
const FR_MALE: readonly Given[] = [
  ['Joseph', ['Jos', 'Joe'], ['Jos.']],
  ['Jean-Baptiste', ['Baptiste', 'Jean Bte'], ['J.-B.', 'J.-Bte']],
  ['Louis', [], []],
  ['Pierre', [], ['P.']],
  ['François', ['Frank'], ['Frs', 'Fr.']],
  ['Jacques', [], []],
  ['Charles', [], ['Chs']],
  ['Antoine', ['Toine'], ['Ant.']],
  ['Michel', [], []],
  ['Étienne', [], []],
  ['Nicolas', ['Colas'], []],
  ['Napoléon', ['Léon', 'Nap'], ['Nap.']],
  ['Wilfrid', ['Wilf'], []],
  ['Honoré', [], []],
  ['Télesphore', [], []],
  ['Ferdinand', ['Ferd'], []],
  ['Édouard', ['Ed'], []],
  ['Georges', [], ['Geo.']],
  ['Olivier', [], []],
  ['Hippolyte', [], []],
  ['Théophile', ['Théo'], []],
  ['Augustin', ['Gus'], []],
  ['Octave', [], []],
  ['Arthur', [], []],
];
const FR_FEMALE: readonly Given[] = [
  ['Marie', [], ['M.']],
  ['Marguerite', ['Margot', 'Guite'], []],
  ['Marie-Anne', [], ['M.-Anne']],
  ['Marie-Louise', [], ['M.-L.']],
  ['Angélique', [], []],
  ['Geneviève', [], []],
  ['Madeleine', ['Mado'], []],
  ['Élisabeth', ['Élise', 'Babette'], []],
  ['Josephte', [], []],
  ['Thérèse', [], []],
  ['Françoise', ['Fanchon'], []],
  ['Louise', [], []],
  ['Émilie', [], []],
  ['Julie', [], []],
  ['Catherine', [], []],
  ['Henriette', [], []],
];

/** A surname and the other forms records give it. */
type Surname = readonly [string, readonly string[]];
const EN_SURNAMES: readonly Surname[] = [
  ['Smith', ['Smyth']],
  ['Brown', ['Browne']],
  ['Macdonald', ['MacDonald', 'McDonald', "M'Donald"]],
  ['Campbell', []],
  ['Wilson', []],
  ['Stewart', ['Stuart']],
  ['Robertson', []],
  ['Thomson', ['Thompson']],
  ['Johnston', ['Johnstone']],
  ['Anderson', []],
  ['Mackenzie', ['MacKenzie', 'McKenzie']],
  ['Fraser', ['Frazer']],
  ['Scott', []],
  ['Murray', []],
  ['Macleod', ['MacLeod', 'McLeod']],
  ['Clarke', ['Clark']],
  ['Taylor', []],
  ['Reid', ['Reed']],
  ['Ross', []],
  ["O'Brien", ['OBrien', 'O Brien', "O'Bryan"]],
  ['Kelly', ['Kelley']],
  ['Murphy', []],
  ['Walsh', ['Welsh']],
  ['Baldwin', []],
  ['Galt', []],
  ['Molson', []],
  ['Allan', ['Allen']],
  ['Gray', ['Grey']],
  ['Ogilvie', ['Ogilvy']],
  ['Simpson', []],
];
const FR_SURNAMES: readonly Surname[] = [
  ['Tremblay', []],
  ['Gagnon', []],
  ['Roy', []],
  ['Côté', ['Coté', 'Cotté']],
  ['Bouchard', []],
  ['Gauthier', ['Gautier']],
  ['Morin', []],
  ['Lavoie', ['La Voie']],
  ['Fortin', []],
  ['Pelletier', ['Peltier']],
  ['Thibault', ['Thibeault', 'Thibaud']],
  ['Saint-Pierre', ['St-Pierre', 'St. Pierre', 'St Pierre']],
  ['Papineau', ['Papineau dit Montigny']],
  ['Cadieux', ['Cadieux dit Courville', 'Courville']],
  ['de Salaberry', ['De Salaberry', 'Salaberry']],
  ['Lemoyne', ['Le Moyne', 'LeMoyne']],
  ['Laframboise', ['La Framboise']],
  ['Lafontaine', ['La Fontaine']],
  ['Parent', []],
  ['Hébert', ['Hebert', 'Imbert']],
  ['Girard', ['Gérard']],
  ['Lévesque', ['Levesque', 'Lévêque']],
  ['Beaubien', []],
  ['Chartier', ['Chartier de Lotbinière']],
  ['Duvernay', []],
  ['Saint-Jean', ['St-Jean', 'St. Jean']],
  ['Desjardins', ['Des Jardins']],
  ['Larue', ['La Rue']],
];
const TITLES_MALE = ['Sir', 'Dr', 'Rev.', 'Mgr', 'Hon.', 'Abbé', 'Capt.', 'Col.', 'Father', 'Lord'];
const TITLES_FEMALE = ['Lady', 'Dr', 'Sœur', 'Mother', 'Hon.', 'Dame'];
const HONORIFICS_MALE = ['Mr.', 'Mr', 'M.', 'Hon.'];
const HONORIFICS_FEMALE = ['Mrs.', 'Miss', 'Mme', 'Mlle'];

/** Birth places: the names records give the town, its postcodes, a weight; cultures that are born there. */
interface Town {
  names: readonly string[];
  postcodes: readonly string[];
  weight: number;
  culture: 'en' | 'fr' | 'both';
}
const TOWNS: readonly Town[] = [
  {
    names: ['Québec', 'Quebec', 'Quebec City', 'Québec, Canada', 'Ville de Québec'],
    postcodes: ['G1R', 'G1K', 'G1S', 'G1R 4P5'],
    weight: 14,
    culture: 'both',
  },
  {
    names: ['Montréal', 'Montreal', 'Ville-Marie', 'Montreal, Lower Canada', 'Montréal, Québec'],
    postcodes: ['H2Y', 'H3A', 'H2X', 'H3B', 'H2Y 1C6'],
    weight: 16,
    culture: 'both',
  },
  { names: ['Trois-Rivières', 'Three Rivers', 'Trois Rivieres'], postcodes: ['G9A'], weight: 4, culture: 'fr' },
  { names: ['Boucherville'], postcodes: ['J4B'], weight: 1.5, culture: 'fr' },
  { names: ['Sorel', 'William-Henry', 'Sorel-Tracy'], postcodes: ['J3P'], weight: 1.5, culture: 'fr' },
  { names: ['Saint-Hyacinthe', 'St-Hyacinthe', 'St. Hyacinthe'], postcodes: ['J2S'], weight: 2, culture: 'fr' },
  { names: ["L'Assomption", 'L Assomption', 'Lassomption'], postcodes: ['J5W'], weight: 1, culture: 'fr' },
  { names: ['Saint-Denis-sur-Richelieu', 'St-Denis', 'Saint-Denis'], postcodes: ['J0H 1K0'], weight: 1, culture: 'fr' },
  { names: ['Kamouraska'], postcodes: ['G0L 1M0'], weight: 1, culture: 'fr' },
  { names: ['Rimouski'], postcodes: ['G5L'], weight: 1, culture: 'fr' },
  { names: ['Sherbrooke'], postcodes: ['J1H'], weight: 1.5, culture: 'both' },
  { names: ['Kingston', 'Kingston, Upper Canada', 'Kingston, Ontario'], postcodes: ['K7L'], weight: 3, culture: 'en' },
  { names: ['Toronto', 'York', 'York, Upper Canada'], postcodes: ['M5H', 'M5A', 'M5C'], weight: 6, culture: 'en' },
  { names: ['Ottawa', 'Bytown'], postcodes: ['K1P', 'K1N'], weight: 3, culture: 'both' },
  { names: ['Halifax', 'Halifax, Nova Scotia'], postcodes: ['B3H', 'B3J'], weight: 3, culture: 'en' },
  { names: ['Saint John', 'St. John', 'St John, New Brunswick'], postcodes: ['E2L'], weight: 2, culture: 'en' },
  {
    names: ['London', 'London, England', 'City of London', 'Westminster'],
    postcodes: ['EC1A', 'SW1A', 'WC2N', 'E1'],
    weight: 8,
    culture: 'en',
  },
  { names: ['Edinburgh', 'Edinburgh, Scotland', 'Leith'], postcodes: ['EH1', 'EH2', 'EH6'], weight: 4, culture: 'en' },
  { names: ['Glasgow', 'Glasgow, Scotland'], postcodes: ['G1', 'G2'], weight: 3, culture: 'en' },
  { names: ['Aberdeen'], postcodes: ['AB10'], weight: 1.5, culture: 'en' },
  { names: ['Inverness'], postcodes: ['IV1'], weight: 1, culture: 'en' },
  { names: ['Dublin', 'Dublin, Ireland', 'Baile Átha Cliath'], postcodes: ['D01', 'D02'], weight: 4, culture: 'en' },
  { names: ['Cork', 'Cork, Ireland'], postcodes: ['T12'], weight: 1.5, culture: 'en' },
  { names: ['Belfast'], postcodes: ['BT1'], weight: 1.5, culture: 'en' },
  { names: ['Liverpool'], postcodes: ['L1', 'L2'], weight: 1.5, culture: 'en' },
  { names: ['Paris', 'Paris, France'], postcodes: ['75001', '75006', '75007'], weight: 4, culture: 'fr' },
  { names: ['La Rochelle', 'Larochelle', 'La Rochelle, Aunis'], postcodes: ['17000'], weight: 2, culture: 'fr' },
  { names: ['Rouen'], postcodes: ['76000'], weight: 1.5, culture: 'fr' },
  { names: ['Saint-Malo', 'St-Malo', 'St. Malo'], postcodes: ['35400'], weight: 1.5, culture: 'fr' },
  { names: ['Boston', 'Boston, Massachusetts'], postcodes: ['02108'], weight: 1.5, culture: 'both' },
];

const RECORD_COUNTS: readonly (readonly [number, number])[] = [
  [1, 40],
  [2, 22],
  [3, 13],
  [4, 7],
  [5, 5],
  ...[6, 7, 8].map((n) => [n, 7 / 3] as const),
  ...[9, 10, 11, 12].map((n) => [n, 3.5 / 4] as const),
  ...Array.from({ length: 9 }, (_, i) => [13 + i, 2.5 / 9] as const),
];

const TAG = { group: 11, person: 12, record: 13 } as const;

interface Person {
  label: string;
  group: number;
  index: number;
  female: boolean;
  given: readonly Given[];
  /** which given name is the usual one */
  usual: number;
  surname: Surname;
  title: string | null;
  suffix: string | null;
  birth: Ymd;
  town: Town;
  records: number;
}

function zipfPick<T>(rng: Rng, items: readonly T[], offset: number): T {
  return rng.weighted(items.map((item, rank) => [item, 1 / (rank + 1 + offset)] as const));
}

function birthYear(rng: Rng): number {
  const [from, to] = rng.weighted<readonly [number, number]>([
    [[1650, 1749], 10],
    [[1750, 1799], 15],
    [[1800, 1849], 28],
    [[1850, 1899], 32],
    [[1900, 1940], 15],
  ]);
  return rng.int(from, to);
}

function newPerson(seed: number, group: number, index: number, over: Partial<Person> & { fr?: boolean } = {}): Person {
  const rng = streamOf(seed, TAG.person, group, index);
  const fr = over.fr ?? rng.chance(0.45);
  const female = over.female ?? rng.chance(0.35);
  const names = fr ? (female ? FR_FEMALE : FR_MALE) : female ? EN_FEMALE : EN_MALE;
  const count = rng.weighted([
    [1, 45],
    [2, 40],
    [3, 15],
  ] as const);
  const given: Given[] = over.given ? [...over.given] : [];
  while (given.length < count) {
    const name = zipfPick(rng, names, 3);
    if (!given.includes(name)) given.push(name);
  }
  const year = birthYear(rng);
  const towns = TOWNS.filter((town) => town.culture === 'both' || town.culture === (fr ? 'fr' : 'en'));
  return {
    label: `${seed}-${group}-${index}`,
    group,
    index,
    female,
    given,
    usual: over.usual ?? (given.length > 1 && rng.chance(0.2) ? 1 : 0),
    surname: over.surname ?? zipfPick(rng, fr ? FR_SURNAMES : EN_SURNAMES, 2),
    title:
      over.title !== undefined ? over.title : rng.chance(0.14) ? rng.pick(female ? TITLES_FEMALE : TITLES_MALE) : null,
    suffix: over.suffix ?? null,
    birth: over.birth ?? randomDate(rng, year, year),
    town: over.town ?? rng.weighted(towns.map((town) => [town, town.weight] as const)),
    records: rng.weighted(RECORD_COUNTS),
  };
}

function groupPeople(seed: number, group: number): Person[] {
  const rng = streamOf(seed, TAG.group, group);
  const kind = rng.weighted<'single' | 'namesakes' | 'junior' | 'siblings'>([
    ['single', 80],
    ['namesakes', 7],
    ['junior', 5],
    ['siblings', 8],
  ]);
  const one = newPerson(seed, group, 0, kind === 'junior' ? { female: false } : {});
  if (kind === 'single') return [one];
  const fr = FR_SURNAMES.includes(one.surname);
  if (kind === 'namesakes') {
    const people = [one];
    for (let i = 1, n = rng.int(2, 3); i < n; i++) {
      const sameYear = rng.chance(0.3);
      const other = newPerson(seed, group, i, {
        fr,
        female: one.female,
        given: [one.given[one.usual]],
        usual: 0,
        surname: one.surname,
        title: null,
        town: rng.chance(0.4) ? one.town : undefined,
        birth: sameYear ? randomDate(rng, one.birth.year, one.birth.year) : undefined,
      });
      if (iso(other.birth) === iso(one.birth)) other.birth = addDays(one.birth, rng.int(15, 300));
      people.push(other);
    }
    return people;
  }
  if (kind === 'junior') {
    const year = one.birth.year + rng.int(20, 40);
    const son = newPerson(seed, group, 1, {
      fr,
      female: false,
      given: one.given,
      usual: one.usual,
      surname: one.surname,
      title: null,
      town: rng.chance(0.7) ? one.town : undefined,
      birth: randomDate(rng, year, year),
      suffix: 'Jr.',
    });
    one.suffix = 'Sr.';
    return [one, son];
  }
  const people = [one];
  for (let i = 1, n = rng.int(2, 4); i < n; i++) {
    const year = one.birth.year + rng.int(-8, 8);
    const sibling = newPerson(seed, group, i, {
      fr,
      surname: one.surname,
      town: rng.chance(0.85) ? one.town : undefined,
      birth: randomDate(rng, year, year),
    });
    if (sibling.given[sibling.usual][0] === one.given[one.usual][0]) continue; // parents give siblings different names
    people.push(sibling);
  }
  return people;
}

function initialOf(name: string): string {
  return name
    .split('-')
    .map((part) => `${part[0]}.`)
    .join('-');
}

function firstName(rng: Rng, person: Person): string {
  const usual = person.given[person.usual];
  const [name, nicknames, abbreviations] = usual;
  const roll = rng.float();
  let text: string;
  if (roll < 0.45) text = name;
  else if (roll < 0.65) text = person.given.map((given) => given[0]).join(' ');
  else if (roll < 0.75)
    text = [name, ...person.given.filter((given) => given !== usual).map((given) => initialOf(given[0]))].join(' ');
  else if (roll < 0.83 && nicknames.length > 0) text = rng.pick(nicknames);
  else if (roll < 0.88 && abbreviations.length > 0) text = rng.pick(abbreviations);
  else if (roll < 0.92) text = person.given.map((given) => initialOf(given[0])).join(' ');
  else text = person.given[0][0];
  if (person.title && rng.chance(0.45)) text = `${person.title} ${text}`;
  else if (!person.title && rng.chance(0.03))
    text = `${rng.pick(person.female ? HONORIFICS_FEMALE : HONORIFICS_MALE)} ${text}`;
  return text;
}

function lastName(rng: Rng, person: Person): string {
  const [name, forms] = person.surname;
  let text = rng.chance(0.18) && forms.length > 0 ? rng.pick(forms) : name;
  if (person.suffix && rng.chance(0.3)) text = `${text} ${person.suffix}`;
  return text;
}

function typo(rng: Rng, text: string): string {
  const roll = rng.float();
  return roll < 0.5 ? ocrError(rng, text) : roll < 0.8 ? keyboardTypo(rng, text) : byEar(rng, text);
}

function birthDate(rng: Rng, birth: Ymd): string | null {
  const roll = rng.float();
  if (roll < 0.2) return null;
  if (roll < 0.45) {
    const year = rng.chance(0.08) ? birth.year + (rng.chance(0.5) ? 1 : -1) : birth.year;
    return rng.chance(0.12) ? `c. ${year}` : String(year);
  }
  const error = rng.float();
  if (error < 0.04) return transposed(birth);
  let date = birth;
  if (error < 0.1) date = { ...birth, year: birth.year + (rng.chance(0.5) ? 1 : -1) };
  else if (error < 0.15) date = addDays(birth, rng.int(1, 14));
  else if (error < 0.17 && birth.year < 1800) date = addDays(birth, 11);
  else if (error < 0.2) date = addDays(birth, rng.chance(0.5) ? 1 : -1);
  else if (error < 0.215) date = randomDate(rng, birth.year - 30, birth.year + 30);
  return iso(date);
}

function record(seed: number, person: Person, k: number): HeldOutRow {
  const rng = streamOf(seed, TAG.record, person.group, person.index * 32 + k);
  let first: string | null = firstName(rng, person);
  let last: string | null = lastName(rng, person);
  if (rng.chance(0.06)) first = typo(rng, first);
  if (rng.chance(0.07)) last = typo(rng, last);
  first = exportCase(rng, first, { upper: 0.02, lower: 0.01, accentless: 0.1 });
  last = exportCase(rng, last, { upper: 0.06, lower: 0.01, accentless: 0.1 });
  if (rng.chance(0.02)) [first, last] = [last, first];
  if (rng.chance(0.03)) first = null;
  if (rng.chance(0.02)) last = null;
  let city: string | null = rng.chance(0.3) ? rng.pick(person.town.names) : person.town.names[0];
  if (rng.chance(0.04)) city = typo(rng, city);
  if (rng.chance(0.25)) city = null;
  return {
    person: person.label,
    firstName: first,
    lastName: last,
    email: null,
    birthDate: birthDate(rng, person.birth),
    city,
    postalCode: rng.chance(0.45) ? rng.pick(person.town.postcodes) : null,
  };
}

/** The "historical" held-out set: labelled rows in a shuffled order, deterministic for the options. */
export function generateHistoricalPeople(options: HeldOutOptions): HeldOutRow[] {
  return collect(options, (group) =>
    groupPeople(options.seed, group).flatMap((person) =>
      Array.from({ length: person.records }, (_, k) => record(options.seed, person, k)),
    ),
  );
}
