/**
 * Held-out set "translit": foreign-born residents of Quebec (Ukrainian 55%, Russian 22%, Polish 15%, Moldovan 8%) as
 * municipal and service registers hold them, fields first name, last name, birth date and municipality (→ city).
 * Each person has 1–7 records (mostly 3–4) whose names follow different transliteration systems, the way their
 * passports, permits and the clerks who typed them did: Ukrainian national (Oleksandr Khmelnytskyi), Russian
 * BGN/PCGN (Aleksandr Khmelnitskiy), ICAO (Ievgen, -skii), popular English (Khmelnitsky), French (Iouri, Tchernenko,
 * Khmelnitski), German (Jewgenij, Chmelnizkij) and Polish (Chmielnicki, Jewhen); Ukrainians' names also in their
 * Russian form (Oleksandr / Aleksandr) and sometimes as an equivalent (Alexander, Alexandre). Labelled (`person`),
 * deterministic for a seed, independent of the matcher (see held-out-support.ts).
 *
 * Groups: alone 65%, families 25% (2–4 people: one surname in its masculine and feminine forms — Kovalska and
 * Kovalskyi, Ivanova and Ivanov —, one municipality), namesakes 10% (a common first name and surname, the same birth
 * year 35% of the time, the same municipality 50%).
 *
 * Every record independently (heavy corruption):
 * - names: the transliteration system (per person's origin, e.g. Ukrainians: national 35%, English 20%, BGN 15%,
 *   French 12%, ICAO 10%, Polish 5%, German 3%), the Russian form of a Ukrainian name 30%, an equivalent first name
 *   8%, Polish and Moldovan names without diacritics 50% or anglicized (w → v, sz → sh, cz → ch) 10%, the
 *   patronymic with the first name 8% or with the last name 2%, a woman's surname in the masculine form 4%; a typo
 *   12% first, 15% last (keyboard 50%, spelled by ear 30%, OCR 20%); first and last swapped 10%; capitals 30%,
 *   lower case 3%; missing 8% first, 5% last;
 * - birth date: missing 12%; day and month transposed 8%; a year typo 4%; a day off 3%; another date 2%; an impossible
 *   date (31 April, 30 February, month 00) 1.5%; a date in the future (2031, a 19 read 20) 1.5%; written 23.04.1985
 *   15%, 1985/04/23 10%, 19850423 5%;
 * - municipality: a Montréal borough instead of the city 25% of a Montrealer's records, another spelling or
 *   abbreviation 25%, a typo 6%, capitals 15%, missing 10%.
 */
import type { Rng } from '@app/fixtures';
import {
  addDays,
  byEar,
  capitalize,
  collect,
  daysIn,
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
} from './held-out-support.js';

type System = 'ua' | 'bgn' | 'icao' | 'en' | 'fr' | 'de' | 'pl';

const BASE: Readonly<Record<string, string>> = {
  а: 'a',
  б: 'b',
  в: 'v',
  г: 'g',
  ґ: 'g',
  д: 'd',
  е: 'e',
  ё: 'e',
  ж: 'zh',
  з: 'z',
  и: 'i',
  і: 'i',
  ї: 'i',
  й: 'y',
  к: 'k',
  л: 'l',
  м: 'm',
  н: 'n',
  о: 'o',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  у: 'u',
  ф: 'f',
  х: 'kh',
  ц: 'ts',
  ч: 'ch',
  ш: 'sh',
  щ: 'shch',
  ъ: '',
  ы: 'y',
  ь: '',
  э: 'e',
  ю: 'yu',
  я: 'ya',
  є: 'ye',
  "'": '',
};

/** Each system's letters where it differs from BASE; `initial` for a word's first letter or after a vowel. */
const SYSTEMS: Readonly<
  Record<System, { letters: Record<string, string>; initial: Record<string, string>; endings: Record<string, string> }>
> = {
  ua: {
    letters: { г: 'h', и: 'y', й: 'i', ї: 'i', є: 'ie', ю: 'iu', я: 'ia' },
    initial: { й: 'y', ї: 'yi', є: 'ye', ю: 'yu', я: 'ya' },
    endings: { ий: 'yi', ій: 'ii' },
  },
  bgn: {
    letters: { ё: 'yo', ї: 'yi' },
    initial: { е: 'ye', є: 'ye' },
    endings: { ий: 'iy', ій: 'iy', ый: 'yy' },
  },
  icao: {
    letters: { й: 'i', є: 'ie', ю: 'iu', я: 'ia', ъ: 'ie' },
    initial: {},
    endings: { ий: 'ii', ій: 'ii', ый: 'yi' },
  },
  en: {
    letters: { є: 'ye' },
    initial: { е: 'ye' },
    endings: { ий: 'y', ій: 'y', ый: 'y' },
  },
  fr: {
    letters: { ж: 'j', ш: 'ch', ч: 'tch', щ: 'chtch', у: 'ou', ю: 'iou', я: 'ia', й: 'i', є: 'ie', х: 'kh' },
    initial: {},
    endings: { ий: 'i', ій: 'i', ый: 'y' },
  },
  de: {
    letters: {
      в: 'w',
      ж: 'sh',
      з: 's',
      х: 'ch',
      ц: 'z',
      ч: 'tsch',
      ш: 'sch',
      щ: 'schtsch',
      ю: 'ju',
      я: 'ja',
      й: 'j',
      є: 'je',
      ё: 'jo',
    },
    initial: { е: 'je' },
    endings: { ий: 'ij', ій: 'ij', ый: 'y' },
  },
  pl: {
    letters: {
      в: 'w',
      г: 'h',
      ж: 'ż',
      х: 'ch',
      ц: 'c',
      ч: 'cz',
      ш: 'sz',
      щ: 'szcz',
      ю: 'ju',
      я: 'ja',
      й: 'j',
      и: 'y',
      є: 'je',
      ї: 'ji',
    },
    initial: { е: 'je' },
    endings: { ий: 'i', ій: 'ij', ый: 'y' },
  },
};

const VOWELS = new Set([...'аеёиіїоуыэюяєь']);

/** A Cyrillic name in Latin letters by `system`; `hForG` reads г as h (Ukrainian), else g. */
export function transliterate(cyrillic: string, system: System, hForG: boolean): string {
  const table = SYSTEMS[system];
  const out: string[] = [];
  const lower = cyrillic.toLowerCase();
  // Polish writes a Russian и as i (y only in Ukrainian, which has і for i)
  const russianI = system === 'pl' && !/[іїєґ]/.test(lower);
  for (let i = 0; i < lower.length; i++) {
    const char = lower[i];
    const two = lower.slice(i, i + 2);
    const atEnd = i + 2 === lower.length || /[\s-]/.test(lower[i + 2] ?? '');
    if (atEnd && table.endings[two] !== undefined) {
      out.push(table.endings[two]);
      i++;
      continue;
    }
    const initial = i === 0 || /[\s-]/.test(lower[i - 1]) || VOWELS.has(lower[i - 1]);
    let latin = (initial ? table.initial[char] : undefined) ?? table.letters[char] ?? BASE[char] ?? char;
    if (char === 'г' && system !== 'pl' && system !== 'ua') latin = hForG ? 'h' : 'g';
    if (char === 'и' && (russianI || initial) && system === 'pl') latin = 'i';
    if (char === 'ч' && system === 'pl' && i === lower.length - 1) latin = 'cz';
    out.push(latin);
  }
  return capitalize(out.join(''));
}

/** [Ukrainian, Russian, equivalents] */
type FirstName = readonly [string, string, readonly string[]];
const MALE: readonly FirstName[] = [
  ['Олександр', 'Александр', ['Alexander', 'Alexandre', 'Alex', 'Sasha']],
  ['Сергій', 'Сергей', ['Serge', 'Sergei']],
  ['Андрій', 'Андрей', ['Andrew', 'André']],
  ['Володимир', 'Владимир', ['Vladimir', 'Walter']],
  ['Дмитро', 'Дмитрий', ['Dmitri', 'Dimitri']],
  ['Микола', 'Николай', ['Nicholas', 'Nicolas', 'Nick']],
  ['Іван', 'Иван', ['Ivan', 'John', 'Jean']],
  ['Євген', 'Евгений', ['Eugene', 'Eugène']],
  ['Юрій', 'Юрий', ['George', 'Georges', 'Yuri']],
  ['Олег', 'Олег', ['Oleg']],
  ['Віктор', 'Виктор', ['Victor']],
  ['Михайло', 'Михаил', ['Michael', 'Michel']],
  ['Василь', 'Василий', ['Basil']],
  ['Петро', 'Пётр', ['Peter', 'Pierre']],
  ['Богдан', 'Богдан', ['Bogdan']],
  ['Тарас', 'Тарас', ['Taras']],
  ['Ярослав', 'Ярослав', ['Jaroslav']],
  ['Максим', 'Максим', ['Maxim', 'Maxime']],
  ['Артем', 'Артём', ['Artem']],
  ['Вадим', 'Вадим', ['Vadim']],
  ['Костянтин', 'Константин', ['Constantine', 'Constantin', 'Kostia']],
  ['Григорій', 'Григорий', ['Gregory', 'Grégoire']],
];
const FEMALE: readonly FirstName[] = [
  ['Олена', 'Елена', ['Helen', 'Hélène', 'Elena']],
  ['Ірина', 'Ирина', ['Irene', 'Irène']],
  ['Наталія', 'Наталья', ['Natalie', 'Nathalie']],
  ['Тетяна', 'Татьяна', ['Tatiana', 'Tania']],
  ['Юлія', 'Юлия', ['Julia', 'Julie']],
  ['Катерина', 'Екатерина', ['Catherine', 'Katherine', 'Katia']],
  ['Марія', 'Мария', ['Maria', 'Marie']],
  ['Анастасія', 'Анастасия', ['Anastasia']],
  ['Оксана', 'Оксана', ['Oxana']],
  ['Світлана', 'Светлана', ['Lana']],
  ['Людмила', 'Людмила', ['Ludmila']],
  ['Ганна', 'Анна', ['Anna', 'Anne']],
  ['Галина', 'Галина', ['Galina']],
  ['Ольга', 'Ольга', ['Olga']],
  ['Вікторія', 'Виктория', ['Victoria']],
  ['Євгенія', 'Евгения', ['Eugenia']],
  ['Олександра', 'Александра', ['Alexandra']],
  ['Валентина', 'Валентина', ['Valentine']],
];
const PATRONYMICS = {
  ua: {
    m: ['Петрович', 'Іванович', 'Миколайович', 'Васильович', 'Олександрович', 'Володимирович', 'Сергійович'],
    f: ['Петрівна', 'Іванівна', 'Миколаївна', 'Василівна', 'Олександрівна', 'Володимирівна', 'Сергіївна'],
  },
  ru: {
    m: ['Петрович', 'Иванович', 'Николаевич', 'Васильевич', 'Александрович', 'Владимирович', 'Сергеевич'],
    f: ['Петровна', 'Ивановна', 'Николаевна', 'Васильевна', 'Александровна', 'Владимировна', 'Сергеевна'],
  },
};

/** [Ukrainian, Russian, other Latin spellings seen in records] */
type UaSurname = readonly [string, string, readonly string[]];
const UA_SURNAMES: readonly UaSurname[] = [
  ['Коваленко', 'Коваленко', []],
  ['Шевченко', 'Шевченко', ['Szewczenko']],
  ['Бондаренко', 'Бондаренко', []],
  ['Ткаченко', 'Ткаченко', []],
  ['Кравченко', 'Кравченко', []],
  ['Мельник', 'Мельник', ['Melnick']],
  ['Олійник', 'Олейник', ['Oliynyk']],
  ['Шевчук', 'Шевчук', []],
  ['Коваль', 'Коваль', ['Kowal']],
  ['Поліщук', 'Полищук', []],
  ['Бойко', 'Бойко', ['Boyko', 'Bojko']],
  ['Ковальчук', 'Ковальчук', ['Kowalczuk']],
  ['Лисенко', 'Лысенко', []],
  ['Марченко', 'Марченко', []],
  ['Савченко', 'Савченко', []],
  ['Руденко', 'Руденко', []],
  ['Петренко', 'Петренко', []],
  ['Хмельницький', 'Хмельницкий', ['Chmielnicki']],
  ['Ковальський', 'Ковальский', ['Kowalski']],
  ['Вишневський', 'Вишневский', ['Wiśniewski']],
  ['Гриценко', 'Гриценко', []],
  ['Кузьменко', 'Кузьменко', []],
  ['Литвиненко', 'Литвиненко', []],
  ['Жук', 'Жук', []],
  ['Ковальов', 'Ковалёв', []],
  ['Яковенко', 'Яковенко', []],
  ['Зінченко', 'Зинченко', []],
  ['Гаврилюк', 'Гаврилюк', []],
  ['Приходько', 'Приходько', []],
  ['Ярошенко', 'Ярошенко', []],
  ['Щербак', 'Щербак', []],
  ['Чорновол', 'Черновол', []],
  ['Гнатюк', 'Гнатюк', []],
  ['Білоус', 'Белоус', []],
  ['Юрченко', 'Юрченко', []],
  ['Дорошенко', 'Дорошенко', []],
];
const RU_SURNAMES: readonly string[] = [
  'Иванов',
  'Смирнов',
  'Кузнецов',
  'Попов',
  'Соколов',
  'Лебедев',
  'Козлов',
  'Новиков',
  'Морозов',
  'Петров',
  'Волков',
  'Соловьёв',
  'Васильев',
  'Зайцев',
  'Павлов',
  'Семёнов',
  'Голубев',
  'Виноградов',
  'Богданов',
  'Фёдоров',
  'Михайлов',
  'Тарасов',
  'Жуков',
  'Щербаков',
  'Чернышевский',
  'Захаров',
  'Юдин',
  'Ершов',
  'Хохлов',
  'Журавлёв',
];
/** Polish: [masculine, feminine] with diacritics, then first names with their equivalents. */
const PL_SURNAMES: readonly (readonly [string, string])[] = [
  ['Nowak', 'Nowak'],
  ['Kowalski', 'Kowalska'],
  ['Wiśniewski', 'Wiśniewska'],
  ['Wójcik', 'Wójcik'],
  ['Kowalczyk', 'Kowalczyk'],
  ['Kamiński', 'Kamińska'],
  ['Lewandowski', 'Lewandowska'],
  ['Zieliński', 'Zielińska'],
  ['Szymański', 'Szymańska'],
  ['Woźniak', 'Woźniak'],
  ['Dąbrowski', 'Dąbrowska'],
  ['Kozłowski', 'Kozłowska'],
  ['Mazur', 'Mazur'],
  ['Krawczyk', 'Krawczyk'],
  ['Kaczmarek', 'Kaczmarek'],
  ['Chmielewski', 'Chmielewska'],
  ['Chmielnicki', 'Chmielnicka'],
  ['Grabowski', 'Grabowska'],
  ['Wróbel', 'Wróbel'],
  ['Szczepański', 'Szczepańska'],
];
const PL_MALE: readonly (readonly [string, readonly string[]])[] = [
  ['Piotr', ['Peter', 'Pierre']],
  ['Krzysztof', ['Christopher', 'Christophe', 'Kris']],
  ['Andrzej', ['Andrew', 'André']],
  ['Tomasz', ['Thomas', 'Tom']],
  ['Paweł', ['Paul']],
  ['Michał', ['Michael', 'Michel']],
  ['Łukasz', ['Lucas', 'Luc']],
  ['Wojciech', ['Wojtek', 'Voytek']],
  ['Jakub', ['Jacob', 'Jacques', 'Kuba']],
  ['Marcin', ['Martin']],
  ['Grzegorz', ['Gregory', 'Grégoire']],
];
const PL_FEMALE: readonly (readonly [string, readonly string[]])[] = [
  ['Anna', ['Anne', 'Ania']],
  ['Małgorzata', ['Margaret', 'Gosia', 'Marguerite']],
  ['Agnieszka', ['Agnes', 'Agnès']],
  ['Katarzyna', ['Catherine', 'Kasia']],
  ['Joanna', ['Joanne']],
  ['Magdalena', ['Magda']],
  ['Ewa', ['Eva', 'Ève']],
  ['Zofia', ['Sophie']],
  ['Aleksandra', ['Alexandra', 'Ola']],
  ['Barbara', ['Basia']],
];
/** Moldovan: Romanian spelling and the Russian Cyrillic of Soviet-era papers. */
const MD_MALE: readonly (readonly [string, string])[] = [
  ['Ion', 'Ион'],
  ['Vasile', 'Василе'],
  ['Gheorghe', 'Георге'],
  ['Mihai', 'Михай'],
  ['Nicolae', 'Николае'],
  ['Dumitru', 'Думитру'],
  ['Andrei', 'Андрей'],
];
const MD_FEMALE: readonly (readonly [string, string])[] = [
  ['Ana', 'Ана'],
  ['Maria', 'Мария'],
  ['Elena', 'Елена'],
  ['Tatiana', 'Татьяна'],
  ['Natalia', 'Наталья'],
  ['Svetlana', 'Светлана'],
];
const MD_SURNAMES: readonly (readonly [string, string])[] = [
  ['Popescu', 'Попеску'],
  ['Rusu', 'Русу'],
  ['Ceban', 'Чебан'],
  ['Ciobanu', 'Чобану'],
  ['Țurcanu', 'Цуркану'],
  ['Munteanu', 'Мунтяну'],
  ['Lungu', 'Лунгу'],
  ['Cojocaru', 'Кожокару'],
  ['Sârbu', 'Сырбу'],
  ['Bivol', 'Бивол'],
];

/** Municipalities where they live, with the spellings records give; Montréal's boroughs apart. */
const MUNICIPALITIES: readonly (readonly [readonly string[], number])[] = [
  [['Montréal', 'Montreal', 'MONTREAL', 'Mtl', 'Ville de Montréal', 'Montréal (QC)'], 62],
  [['Laval', 'Ville de Laval', 'Laval (Chomedey)'], 8],
  [['Longueuil', 'Longueil', 'Longueuil (Saint-Hubert)'], 5],
  [['Québec', 'Quebec', 'Ville de Québec', 'Quebec City'], 6],
  [['Gatineau', 'Gatineau (Hull)', 'Gatinaeu'], 3],
  [['Sherbrooke'], 3],
  [['Brossard', 'Brossard QC'], 3],
  [['Dollard-Des Ormeaux', 'Dollard-des-Ormeaux', 'DDO'], 2],
  [['Côte-Saint-Luc', 'Cote-St-Luc', 'Côte St-Luc'], 2],
  [['Saint-Jérôme', 'St-Jérôme', 'St-Jerome'], 1],
  [['Trois-Rivières', 'Trois-Rivieres', 'Trois Rivières'], 1],
  [['Terrebonne'], 1],
  [['Repentigny'], 1],
  [['Pointe-Claire', 'Pte-Claire'], 1],
  [['Kirkland'], 1],
];
const BOROUGHS = [
  'Saint-Laurent',
  'Côte-des-Neiges',
  'Notre-Dame-de-Grâce',
  'Rivière-des-Prairies',
  'LaSalle',
  'Verdun',
  'Ahuntsic-Cartierville',
  'Rosemont',
  'Villeray',
  'Plateau-Mont-Royal',
  'Saint-Léonard',
  'Anjou',
];

type Origin = 'ua' | 'ru' | 'pl' | 'md';

const SYSTEM_WEIGHTS: Readonly<Record<Origin, readonly (readonly [System, number])[]>> = {
  ua: [
    ['ua', 35],
    ['en', 20],
    ['bgn', 15],
    ['fr', 12],
    ['icao', 10],
    ['pl', 5],
    ['de', 3],
  ],
  ru: [
    ['bgn', 35],
    ['en', 25],
    ['icao', 15],
    ['fr', 15],
    ['de', 5],
    ['pl', 5],
  ],
  md: [
    ['bgn', 40],
    ['en', 25],
    ['icao', 15],
    ['fr', 20],
  ],
  pl: [['en', 1]],
};

const RECORD_COUNTS: readonly (readonly [number, number])[] = [
  [1, 10],
  [2, 20],
  [3, 25],
  [4, 20],
  [5, 12],
  [6, 8],
  [7, 5],
];

const TAG = { group: 21, person: 22, record: 23 } as const;

interface Person {
  label: string;
  group: number;
  index: number;
  origin: Origin;
  female: boolean;
  /** index into the origin's first-name list */
  first: number;
  /** index into the origin's surname list */
  surname: number;
  patronymic: number;
  birth: Ymd;
  municipality: readonly string[];
  borough: string;
  records: number;
}

function zipfIndex(rng: Rng, length: number, offset: number): number {
  return rng.weighted(Array.from({ length }, (_, rank) => [rank, 1 / (rank + 1 + offset)] as const));
}

function firstNamesOf(origin: Origin, female: boolean): number {
  if (origin === 'pl') return (female ? PL_FEMALE : PL_MALE).length;
  if (origin === 'md') return (female ? MD_FEMALE : MD_MALE).length;
  return (female ? FEMALE : MALE).length;
}
function surnamesOf(origin: Origin): number {
  return origin === 'ua'
    ? UA_SURNAMES.length
    : origin === 'ru'
      ? RU_SURNAMES.length
      : origin === 'pl'
        ? PL_SURNAMES.length
        : MD_SURNAMES.length;
}

function newPerson(seed: number, group: number, index: number, over: Partial<Person>): Person {
  const rng = streamOf(seed, TAG.person, group, index);
  const origin =
    over.origin ??
    rng.weighted<Origin>([
      ['ua', 55],
      ['ru', 22],
      ['pl', 15],
      ['md', 8],
    ]);
  const female = over.female ?? rng.chance(0.52);
  const municipality = over.municipality ?? rng.weighted(MUNICIPALITIES);
  return {
    label: `${seed}-${group}-${index}`,
    group,
    index,
    origin,
    female,
    first: over.first ?? zipfIndex(rng, firstNamesOf(origin, female), 3),
    surname: over.surname ?? zipfIndex(rng, surnamesOf(origin), 4),
    patronymic: rng.int(0, 6),
    birth: over.birth ?? randomDate(rng, 1940, 2010),
    municipality,
    borough: over.borough ?? rng.pick(BOROUGHS),
    records: rng.weighted(RECORD_COUNTS),
  };
}

function groupPeople(seed: number, group: number): Person[] {
  const rng = streamOf(seed, TAG.group, group);
  const kind = rng.weighted<'single' | 'family' | 'namesakes'>([
    ['single', 65],
    ['family', 25],
    ['namesakes', 10],
  ]);
  if (kind === 'single') return [newPerson(seed, group, 0, {})];
  if (kind === 'namesakes') {
    const one = newPerson(seed, group, 0, {});
    const other = newPerson(seed, group, 1, {
      origin: one.origin,
      female: one.female,
      first: Math.min(one.first, 3),
      surname: Math.min(one.surname, 4),
      municipality: rng.chance(0.5) ? one.municipality : undefined,
      birth: rng.chance(0.35) ? randomDate(rng, one.birth.year, one.birth.year) : undefined,
    });
    one.first = other.first;
    one.surname = other.surname;
    if (iso(other.birth) === iso(one.birth)) other.birth = addDays(one.birth, rng.int(10, 200));
    return [one, other];
  }
  const head = newPerson(seed, group, 0, {});
  const people = [head];
  for (let i = 1, n = rng.int(2, 4); i < n; i++) {
    const spouse = i === 1 && rng.chance(0.7);
    const year = spouse ? head.birth.year + rng.int(-6, 6) : Math.min(2012, head.birth.year + rng.int(20, 35));
    const member = newPerson(seed, group, i, {
      origin: head.origin,
      female: spouse ? !head.female : undefined,
      surname: head.surname,
      municipality: head.municipality,
      borough: head.borough,
      birth: randomDate(rng, year, year),
    });
    if (people.some((p) => p.female === member.female && p.first === member.first)) continue;
    people.push(member);
  }
  return people;
}

/** The feminine form of a Cyrillic surname (-ський → -ська, -ов → -ова, -ин → -ина); -енко, -чук are both. */
function feminine(cyrillic: string): string {
  const rules: readonly (readonly [RegExp, string])[] = [
    [/ський$/, 'ська'],
    [/цький$/, 'цька'],
    [/ский$/, 'ская'],
    [/цкий$/, 'цкая'],
    [/(ов|ев|ёв|ин|ін)$/, '$1а'],
  ];
  for (const [pattern, replacement] of rules) if (pattern.test(cyrillic)) return cyrillic.replace(pattern, replacement);
  return cyrillic;
}

function anglicized(text: string): string {
  return stripAccents(text)
    .replace(/sz/g, 'sh')
    .replace(/cz/g, 'ch')
    .replace(/w/g, 'v')
    .replace(/W/g, 'V')
    .replace(/ski$/, 'sky');
}

function polishForm(rng: Rng, text: string): string {
  const roll = rng.float();
  return roll < 0.5 ? stripAccents(text.replace(/ż/g, 'z')) : roll < 0.6 ? anglicized(text) : text;
}

function names(rng: Rng, person: Person): { first: string; last: string; patronymic: string | null } {
  const masculine = person.female && rng.chance(0.04);
  if (person.origin === 'pl') {
    const [first, equivalents] = (person.female ? PL_FEMALE : PL_MALE)[person.first];
    const [m, f] = PL_SURNAMES[person.surname];
    return {
      first: rng.chance(0.08) ? rng.pick(equivalents) : polishForm(rng, first),
      last: polishForm(rng, person.female && !masculine ? f : m),
      patronymic: null,
    };
  }
  const system = rng.weighted(SYSTEM_WEIGHTS[person.origin]);
  const hForG = person.origin === 'ua' && rng.chance(0.5);
  if (person.origin === 'md') {
    const [first, firstCyr] = (person.female ? MD_FEMALE : MD_MALE)[person.first];
    const [last, lastCyr] = MD_SURNAMES[person.surname];
    const native = rng.chance(0.55);
    const latin = (text: string, cyr: string) =>
      native
        ? rng.chance(0.5)
          ? stripAccents(text.replace(/ț/g, 't').replace(/Ț/g, 'T'))
          : text
        : transliterate(cyr, system, false);
    return { first: latin(first, firstCyr), last: latin(last, lastCyr), patronymic: null };
  }
  const russian = person.origin === 'ru' || rng.chance(0.3);
  const [uaFirst, ruFirst, equivalents] = (person.female ? FEMALE : MALE)[person.first];
  let lastCyr: string;
  let extra: readonly string[] = [];
  if (person.origin === 'ua') {
    const [ua, ru, others] = UA_SURNAMES[person.surname];
    lastCyr = russian ? ru : ua;
    extra = others;
  } else lastCyr = RU_SURNAMES[person.surname];
  if (person.female && !masculine) lastCyr = feminine(lastCyr);
  const first = rng.chance(0.08) ? rng.pick(equivalents) : transliterate(russian ? ruFirst : uaFirst, system, hForG);
  const last =
    extra.length > 0 && !person.female && rng.chance(0.06) ? rng.pick(extra) : transliterate(lastCyr, system, hForG);
  const patronymics = PATRONYMICS[russian ? 'ru' : 'ua'][person.female ? 'f' : 'm'];
  return { first, last, patronymic: transliterate(patronymics[person.patronymic], system, hForG) };
}

function typo(rng: Rng, text: string): string {
  const roll = rng.float();
  return roll < 0.5 ? keyboardTypo(rng, text) : roll < 0.8 ? byEar(rng, text) : ocrError(rng, text);
}

const pad = (value: number) => String(value).padStart(2, '0');

function birthDate(rng: Rng, birth: Ymd): string | null {
  const roll = rng.float();
  if (roll < 0.12) return null;
  if (roll < 0.2) return transposed(birth);
  if (roll < 0.215) {
    // impossible: a day the month does not have, or month 00
    const kind = rng.int(0, 2);
    if (kind === 0) return `${birth.year}-02-${rng.int(30, 31)}`;
    if (kind === 1) return `${birth.year}-${pad(rng.pick([4, 6, 9, 11]))}-31`;
    return `${birth.year}-00-${pad(birth.day)}`;
  }
  let date = birth;
  if (roll < 0.23) {
    // in the future: the century misread, or a date of another kind typed in the wrong field
    const year = birth.year >= 1927 ? birth.year + 100 : rng.int(2027, 2035);
    date = { ...birth, year };
  } else if (roll < 0.27) date = { ...birth, year: yearTypo(rng, birth.year) };
  else if (roll < 0.3) date = addDays(birth, rng.chance(0.5) ? 1 : -1);
  else if (roll < 0.32) date = randomDate(rng, 1940, 2010);
  if (date.day > daysIn(date.year, date.month)) date = { ...date, day: daysIn(date.year, date.month) };
  const format = rng.float();
  if (format < 0.15) return `${pad(date.day)}.${pad(date.month)}.${date.year}`;
  if (format < 0.25) return `${date.year}/${pad(date.month)}/${pad(date.day)}`;
  if (format < 0.3) return `${date.year}${pad(date.month)}${pad(date.day)}`;
  return iso(date);
}

function record(seed: number, person: Person, k: number): HeldOutRow {
  const rng = streamOf(seed, TAG.record, person.group, person.index * 16 + k);
  const spelled = names(rng, person);
  let first: string | null = spelled.first;
  let last: string | null = spelled.last;
  if (spelled.patronymic && rng.chance(0.08)) first = `${first} ${spelled.patronymic}`;
  else if (spelled.patronymic && rng.chance(0.02)) last = `${last} ${spelled.patronymic}`;
  if (rng.chance(0.12)) first = typo(rng, first);
  if (rng.chance(0.15)) last = typo(rng, last);
  const roll = rng.float();
  if (roll < 0.3) [first, last] = [first.toUpperCase(), last.toUpperCase()];
  else if (roll < 0.33) [first, last] = [first.toLowerCase(), last.toLowerCase()];
  if (rng.chance(0.1)) [first, last] = [last, first];
  if (rng.chance(0.08)) first = null;
  if (rng.chance(0.05)) last = null;

  const [city, ...spellings] = person.municipality;
  let municipality: string | null = city;
  if (city === 'Montréal' && rng.chance(0.25)) municipality = person.borough;
  else if (spellings.length > 0 && rng.chance(0.25)) municipality = rng.pick(spellings);
  if (rng.chance(0.06)) municipality = keyboardTypo(rng, municipality);
  if (rng.chance(0.15)) municipality = municipality.toUpperCase();
  if (rng.chance(0.1)) municipality = null;
  return {
    person: person.label,
    firstName: first,
    lastName: last,
    email: null,
    birthDate: birthDate(rng, person.birth),
    city: municipality,
    postalCode: null,
  };
}

/** The "translit" held-out set: labelled rows in a shuffled order, deterministic for the options. */
export function generateTranslitPeople(options: HeldOutOptions): HeldOutRow[] {
  return collect(options, (group) =>
    groupPeople(options.seed, group).flatMap((person) =>
      Array.from({ length: person.records }, (_, k) => record(options.seed, person, k)),
    ),
  );
}
