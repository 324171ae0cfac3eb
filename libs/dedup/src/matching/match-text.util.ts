import { searchTerms } from '@app/contacts';
import { canonicalFirstName } from './nicknames.js';

/** Words for comparison: lowercased, unaccented, split on punctuation, hyphens and spaces ("Côté-Roy" → cote roy). */
export function matchWords(text: string | null): string[] {
  if (!text) return [];
  return searchTerms(text.replace(/['’]/g, ''));
}

// Saint and Sainte are written out, abbreviated, with or without a hyphen: "St-Pierre", "Ste Foy", "Saint-Pierre".
const SAINT: Record<string, string> = { st: 'saint', ste: 'sainte', mt: 'mont' };

/** Names and cities repeat a lot: each distinct spelling is folded once. */
function remembered(fold: (text: string) => string): (text: string | null) => string {
  const cache = new Map<string, string>();
  return (text) => {
    if (!text) return '';
    let folded = cache.get(text);
    if (folded === undefined) {
      if (cache.size >= 200_000) cache.clear();
      folded = fold(text);
      cache.set(text, folded);
    }
    return folded;
  };
}

/** A last name or a city as one comparable string: "St-Pierre" and "saint pierre" → "saint pierre". */
export const matchName = remembered((text) =>
  matchWords(text)
    .map((word) => SAINT[word] ?? word)
    .join(' '),
);

/**
 * A last name as matchName makes it, the Scottish and Irish prefix written one way: "McDonald", "Mc Donald" and
 * "M'Donald" → macdonald, as "MacDonald" is.
 */
export const matchLastName = remembered((text) =>
  matchName(text.replace(/(^|[\s-])m(?:c ?|['’] ?)(?=\p{L})/giu, '$1mac')),
);

/**
 * A first name as comparable words joined by a space, each in its canonical form: nicknames become their name
 * ("Bob" → robert), initials stay one letter ("J.-F." → j f), compound names keep their parts ("Jean-François" →
 * jean francois). A title typed before the name is dropped ("Mme Louise", "Rev. John", "Sister Mary").
 */
export const matchFirstName = remembered((text) => {
  const words = matchWords(text);
  let start = 0;
  while (start < words.length - 1 && TITLES.has(words[start])) start++;
  const name = words.slice(start);
  // a patronymic after the given name ("Iryna Petrivna", "Dmitri Ivanovich"): the father's name, not the person's
  while (name.length > 1 && PATRONYMIC.test(name[name.length - 1])) name.pop();
  return name.map(canonicalFirstName).join(' ');
});

/** East Slavic patronymics, as transliterated into English, French, Polish or German. */
const PATRONYMIC =
  /^\p{L}{3,}(?:ovych|ovich|ovitch|ovic|owitsch|owicz|evych|evich|evitch|ievich|yevich|ivich|ovna|evna|ievna|yevna|ivna|yivna|iivna|owna|ewna)$/u;

// French and English titles and forms of address, folded ("M." is left alone: as often an initial as Monsieur).
const TITLES = new Set([
  ...['mr', 'mrs', 'ms', 'miss', 'mister', 'sir', 'dame', 'lady', 'lord', 'dr', 'doctor', 'prof', 'professor'],
  ...['hon', 'honourable', 'honorable', 'rev', 'reverend', 'father', 'mother', 'sister', 'brother', 'capt', 'captain'],
  ...['mme', 'mlle', 'madame', 'mademoiselle', 'monsieur', 'docteur', 'dre', 'pere', 'mere', 'soeur', 'frere'],
  ...['abbe', 'mgr', 'monseigneur', 'me', 'maitre'],
]);

// Street types and unit words in French and English, with their abbreviations, mapped to one form.
const STREET_WORDS: Record<string, string> = {
  rue: 'rue',
  r: 'rue',
  street: 'rue',
  st: 'rue',
  str: 'rue',
  avenue: 'av',
  av: 'av',
  ave: 'av',
  avn: 'av',
  boulevard: 'boul',
  boul: 'boul',
  blvd: 'boul',
  bd: 'boul',
  bvd: 'boul',
  chemin: 'ch',
  ch: 'ch',
  road: 'ch',
  rd: 'ch',
  route: 'ch',
  rte: 'ch',
  place: 'pl',
  pl: 'pl',
  court: 'crt',
  crt: 'crt',
  ct: 'crt',
  cour: 'crt',
  drive: 'dr',
  dr: 'dr',
  promenade: 'dr',
  prom: 'dr',
  rang: 'rang',
  montee: 'montee',
  mtee: 'montee',
  cote: 'cote',
  terrace: 'terr',
  terr: 'terr',
  terrasse: 'terr',
  crescent: 'cres',
  cres: 'cres',
  croissant: 'cres',
  crois: 'cres',
  lane: 'lane',
  ln: 'lane',
  way: 'way',
  circuit: 'cct',
  cct: 'cct',
  close: 'cl',
  cl: 'cl',
  parade: 'pde',
  pde: 'pde',
  highway: 'hwy',
  hwy: 'hwy',
  nord: 'n',
  north: 'n',
  n: 'n',
  sud: 's',
  south: 's',
  s: 's',
  est: 'e',
  east: 'e',
  e: 'e',
  ouest: 'w',
  west: 'w',
  o: 'w',
  w: 'w',
  apt: 'unit',
  app: 'unit',
  appt: 'unit',
  apartment: 'unit',
  appartement: 'unit',
  unit: 'unit',
  unite: 'unit',
  suite: 'unit',
  bureau: 'unit',
  de: '',
  du: '',
  des: '',
  la: '',
  le: '',
  les: '',
  of: '',
  the: '',
};

/** An address as its number and its other words, street types and unit words in one form ("45 av. du Parc" → 45, av parc). */
export interface MatchAddress {
  number: string | null;
  /** The words that are not numbers nor types: what names the street. */
  street: string;
  /** Every word, types included, numbers included: for the exact comparison. */
  full: string;
}

export function matchAddress(line1: string | null, line2: string | null): MatchAddress | null {
  const words = [...matchWords(line1), ...matchWords(line2)];
  if (words.length === 0) return null;
  const full: string[] = [];
  const street: string[] = [];
  let number: string | null = null;
  let previous = '';
  for (const word of words) {
    // "st" after a street's name is "street" (Sherbrooke St W); elsewhere it is "saint" (rue St-Denis, 12 St-Denis)
    const saint = word in SAINT && !(previous !== '' && !/^\d/.test(previous) && !(previous in STREET_WORDS));
    const mapped = saint ? SAINT[word] : word in STREET_WORDS ? STREET_WORDS[word] : word;
    previous = word;
    if (mapped === '') continue;
    full.push(mapped);
    // "12-4570 rue X": the unit comes first, the civic number is the last number before the street's name
    if (/^\d/.test(mapped)) {
      if (street.length === 0) number = mapped;
    } else if (saint || !(word in STREET_WORDS)) street.push(mapped);
  }
  return { number, street: street.join(' '), full: full.join(' ') };
}
