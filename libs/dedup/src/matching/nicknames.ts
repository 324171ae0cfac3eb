/**
 * Common short forms of first names, English and French, mapped to the name they shorten. No maintained list is
 * published as an npm package; this one keeps the forms that are unambiguous enough to merge on (Alex, Chris and Sam
 * are left out: they shorten too many). A form shortening several names ("fred") stays itself and is close to each.
 * Keys and values are unaccented and lowercased.
 */
const NAMES_OF: Record<string, string[]> = {
  abigail: ['abby', 'abbie'],
  albert: ['al', 'bert'],
  alexandre: ['alex'],
  alfred: ['alf', 'fred'],
  andrew: ['andy', 'drew'],
  anthony: ['tony'],
  antoine: ['tony', 'toine'],
  barbara: ['barb', 'babs'],
  benjamin: ['ben', 'benji', 'benny'],
  bernard: ['bernie'],
  catherine: ['cathy', 'cath', 'cat', 'kate', 'katie', 'kathy'],
  charles: ['charlie', 'chuck'],
  christine: ['chris', 'christy'],
  christopher: ['kit'],
  daniel: ['dan', 'danny'],
  david: ['dave', 'davy'],
  deborah: ['deb', 'debbie', 'debby'],
  donald: ['don', 'donnie'],
  dorothy: ['dot', 'dottie', 'dolly'],
  edward: ['ed', 'eddie', 'ted', 'ned'],
  elizabeth: ['liz', 'lizzie', 'beth', 'betty', 'betsy', 'eliza', 'lisa', 'elisabeth'],
  emilie: ['emily'],
  eugene: ['gene'],
  francois: ['frank', 'franky', 'fanfan'],
  frederic: ['fred', 'freddy'],
  frederick: ['fred', 'freddy', 'fritz'],
  gabriel: ['gabe', 'gaby'],
  genevieve: ['gen'],
  gerald: ['gerry', 'jerry'],
  gregory: ['greg'],
  guillaume: ['will'],
  harold: ['harry', 'hal'],
  henry: ['hank', 'harry'],
  isabelle: ['isa', 'izzy', 'belle'],
  jacqueline: ['jackie', 'jacquie'],
  jacques: ['jack', 'jacquot'],
  james: ['jim', 'jimmy', 'jamie'],
  jennifer: ['jen', 'jenny'],
  jessica: ['jess', 'jessie'],
  john: ['johnny', 'jack'],
  jonathan: ['jon', 'johnny'],
  joseph: ['joe', 'joey', 'jos', 'jo'],
  josephine: ['josie'],
  katherine: ['kate', 'katie', 'kathy', 'kath', 'kat', 'kay', 'kit', 'katharine', 'kathryn', 'catherine'],
  kenneth: ['ken', 'kenny'],
  lawrence: ['larry'],
  leonard: ['len', 'lenny', 'leo'],
  louis: ['lou'],
  margaret: ['maggie', 'meg', 'peggy', 'marge', 'margie', 'madge'],
  marguerite: ['margot', 'maggie'],
  matthew: ['matt'],
  mathieu: ['matt', 'math'],
  michael: ['mike', 'mickey', 'mick'],
  michel: ['mike'],
  nathaniel: ['nate', 'nat'],
  nicholas: ['nick', 'nicky'],
  nicolas: ['nico', 'nick'],
  patricia: ['pat', 'patty', 'trish', 'tricia'],
  patrick: ['pat', 'paddy'],
  peter: ['pete'],
  philippe: ['phil'],
  phillip: ['phil'],
  rebecca: ['becky', 'becca'],
  richard: ['rick', 'ricky', 'dick', 'rich'],
  robert: ['bob', 'bobby', 'rob', 'robbie', 'bert'],
  ronald: ['ron', 'ronnie'],
  samuel: ['sam', 'sammy'],
  stephanie: ['steph'],
  stephen: ['steve', 'stevie'],
  steven: ['steve', 'stevie'],
  susan: ['sue', 'susie', 'suzy'],
  suzanne: ['suzie', 'suzy', 'sue'],
  theodore: ['ted', 'teddy', 'theo'],
  thomas: ['tom', 'tommy'],
  timothy: ['tim', 'timmy'],
  valerie: ['val'],
  victoria: ['vicky', 'tori'],
  vincent: ['vince', 'vinny'],
  william: ['bill', 'billy', 'will', 'willy', 'liam'],
  zachary: ['zach', 'zack'],
};

const NAMES_OF_FORM = new Map<string, Set<string>>();
for (const [name, shortForms] of Object.entries(NAMES_OF)) {
  for (const form of shortForms) {
    if (!NAMES_OF_FORM.has(form)) NAMES_OF_FORM.set(form, new Set());
    NAMES_OF_FORM.get(form)!.add(name);
  }
}

/** The name a first-name word shortens when it shortens only one ("bob" → robert), or the word itself ("fred"). */
export function canonicalFirstName(word: string): string {
  const names = NAMES_OF_FORM.get(word);
  return names?.size === 1 && !(word in NAMES_OF) ? names.values().next().value! : word;
}

/** The names a first-name word may shorten ("mike" → michael), none when it shortens none. */
export function fullFormsOf(word: string): Iterable<string> {
  return NAMES_OF_FORM.get(word) ?? [];
}

/** Whether one word is a short form of the other ("fred" of frederic and of frederick). */
export function isShortFormOf(a: string, b: string): boolean {
  return !!(NAMES_OF_FORM.get(a)?.has(b) || NAMES_OF_FORM.get(b)?.has(a));
}

/**
 * One given name as written in English, French, Ukrainian, Russian, Polish and Romanian (transliterated, unaccented,
 * lowercased): immigrants' records carry the name of their papers, its transliteration or its local form ("Mykola",
 * "Nikolai", "Nicolas"). Written from the names' usual forms, not from any data set; forms that belong to two names
 * ("jan") are left out.
 */
const ONE_NAME_ACROSS_LANGUAGES: readonly (readonly string[])[] = [
  ['alexander', 'alexandre', 'aleksandr', 'oleksandr', 'olexandr', 'aleksander', 'alexandru'],
  ['andrew', 'andre', 'andrei', 'andrey', 'andriy', 'andrii', 'andrzej'],
  ['anna', 'anne', 'hanna', 'ganna', 'ana'],
  ['basil', 'vasyl', 'vasily', 'vasiliy', 'vasilii', 'vasile', 'wasyl', 'bazyli'],
  ['catherine', 'katherine', 'kateryna', 'ekaterina', 'yekaterina', 'katerina', 'katarzyna', 'ecaterina'],
  ['constantine', 'constantin', 'konstantin', 'kostiantyn', 'kostyantyn', 'konstanty'],
  ['daniel', 'danylo', 'daniil', 'danil'],
  ['dennis', 'denis', 'denys'],
  ['dmitri', 'dmitry', 'dmitriy', 'dmitrii', 'dmytro', 'dimitri', 'dumitru'],
  ['elizabeth', 'elisabeth', 'yelizaveta', 'elizaveta', 'elzbieta', 'elisabeta'],
  ['eugene', 'eugen', 'evgeny', 'evgeniy', 'yevgeny', 'yevgeniy', 'yevhen', 'evhen', 'eugeniusz'],
  ['eugenie', 'eugenia', 'evgenia', 'yevgeniya', 'yevheniya'],
  ['george', 'georges', 'georgiy', 'georgy', 'heorhiy', 'heorhii', 'gheorghe', 'jerzy'],
  ['gregory', 'gregoire', 'grigory', 'grigoriy', 'hryhoriy', 'hryhorii', 'grzegorz', 'grigore'],
  ['helen', 'helene', 'elena', 'olena', 'yelena', 'jelena', 'alena'],
  ['irene', 'irina', 'iryna', 'irena'],
  ['john', 'jean', 'ivan', 'iwan', 'ioan', 'ion', 'johann'],
  ['joseph', 'josef', 'jozef', 'iosif', 'osyp', 'yosyp'],
  ['julia', 'julie', 'yulia', 'yuliya', 'iulia', 'juliya'],
  ['ludmila', 'lyudmila', 'liudmyla', 'lyudmyla', 'liudmila'],
  ['margaret', 'marguerite', 'margarita', 'malgorzata'],
  ['maria', 'marie', 'mary', 'mariya', 'mariia', 'marija'],
  ['matthew', 'mathieu', 'matthieu', 'mateusz', 'matvei', 'matviy'],
  ['maxim', 'maxime', 'maksim', 'maksym', 'maksymilian'],
  ['michael', 'michel', 'mikhail', 'mykhailo', 'mykhaylo', 'michal', 'mihai', 'mihail'],
  ['natalie', 'nathalie', 'natalia', 'natalya', 'nataliya'],
  ['nicholas', 'nicolas', 'nikolai', 'nikolay', 'mykola', 'mikola', 'mikolaj', 'nicolae'],
  ['olga', 'olha'],
  ['paul', 'pavel', 'pavlo', 'pawel'],
  ['peter', 'pierre', 'petr', 'pyotr', 'petro', 'piotr', 'petru'],
  ['sergei', 'sergey', 'serhiy', 'serhii', 'sergiy', 'serge', 'sergiu'],
  ['simon', 'semen', 'semyon', 'szymon'],
  ['sophie', 'sophia', 'sofia', 'sofiya', 'zofia'],
  ['stephen', 'stephane', 'etienne', 'stepan', 'stefan'],
  ['svetlana', 'svitlana'],
  ['galina', 'halyna'],
  ['tatiana', 'tatyana', 'tetiana', 'tetyana', 'tatjana'],
  ['thomas', 'tomasz'],
  ['valentina', 'valentyna', 'walentyna'],
  ['victor', 'viktor', 'wiktor'],
  ['victoria', 'viktoria', 'viktoriya', 'wiktoria'],
  ['vladimir', 'volodymyr', 'wladimir', 'wlodzimierz'],
  ['yuri', 'yuriy', 'yurii', 'iouri', 'iurii', 'jurij'],
  ['oleg', 'oleh'],
  ['igor', 'ihor'],
  ['yaroslav', 'iaroslav', 'jaroslaw'],
  ['anatoly', 'anatolii', 'anatoliy'],
  ['vitaly', 'vitalii', 'vitaliy'],
  ['artem', 'artyom', 'artiom'],
  ['christopher', 'christophe', 'krzysztof'],
  ['stanislas', 'stanislav', 'stanislaw'],
  ['jacob', 'jakub', 'yakov', 'yakiv', 'iakov'],
  ['larisa', 'larysa'],
];

const NAME_ACROSS_LANGUAGES = new Map<string, string>();
for (const forms of ONE_NAME_ACROSS_LANGUAGES) for (const form of forms) NAME_ACROSS_LANGUAGES.set(form, forms[0]);

/** The name a first name is a form of in some language ("mykola", "nicolas" → nicholas), '' if none is known. */
export function nameAcrossLanguages(first: string): string {
  return NAME_ACROSS_LANGUAGES.get(first) ?? '';
}
