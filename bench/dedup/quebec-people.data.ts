/**
 * The word lists behind quebec-people.ts: Quebec first names by generation,
 * surnames by rank, nicknames, places with their streets, postal districts and
 * area codes, email domains. Every list is part of the generated data: changing
 * one changes what a seed gives.
 *
 * Names are real and common (that is the point: namesakes must happen as they do
 * in a real list); streets and cities are real, street numbers and postal codes
 * are not tied to real addresses.
 */

export type Culture = 'fr' | 'en';
export type Gender = 'f' | 'm';
/** Birth cohort: 0 before 1960, 1 from 1960 to 1984, 2 from 1985. */
export type Era = 0 | 1 | 2;

/** [name, weight born before 1960, weight 1960–1984, weight from 1985] */
export type FirstNameRow = readonly [string, number, number, number];

export const FIRST_NAMES: Record<Culture, Record<Gender, readonly FirstNameRow[]>> = {
  fr: {
    f: [
      ['Marie', 10, 3, 2], ['Louise', 6, 1, 0], ['Lise', 6, 1, 0], ['Diane', 6, 2, 0], ['Nicole', 6, 1, 0], ['Francine', 6, 1, 0],
      ['Suzanne', 6, 1, 0], ['Monique', 6, 0, 0], ['Ginette', 6, 1, 0], ['Jocelyne', 5, 1, 0], ['Micheline', 5, 0, 0], ['Carole', 5, 2, 0],
      ['Denise', 5, 0, 0], ['Thérèse', 4, 0, 0], ['Huguette', 4, 0, 0], ['Pierrette', 3, 0, 0], ['Claudette', 4, 0, 0], ['Lucie', 4, 3, 0],
      ['Danielle', 4, 3, 0], ['Hélène', 5, 3, 1], ['Johanne', 3, 5, 0], ['Sylvie', 3, 8, 0], ['Nathalie', 1, 9, 1], ['Isabelle', 1, 8, 2],
      ['Julie', 0, 9, 3], ['Chantal', 2, 6, 0], ['Manon', 2, 6, 0], ['Josée', 1, 6, 0], ['Lyne', 2, 4, 0], ['Line', 2, 3, 0],
      ['Martine', 2, 5, 0], ['Annie', 0, 6, 1], ['Caroline', 0, 6, 2], ['Mélanie', 0, 7, 2], ['Karine', 0, 6, 1], ['Stéphanie', 0, 7, 3],
      ['Geneviève', 0, 7, 3], ['Valérie', 0, 6, 3], ['Véronique', 0, 6, 1], ['Marie-Claude', 0, 6, 1], ['Marie-Ève', 0, 5, 4],
      ['Marie-Josée', 0, 5, 0], ['Marie-Hélène', 0, 3, 1], ['Anne-Marie', 1, 4, 2], ['Catherine', 1, 4, 6], ['Émilie', 0, 2, 7],
      ['Audrey', 0, 1, 6], ['Sarah', 0, 1, 6], ['Camille', 0, 0, 6], ['Laurence', 0, 1, 5], ['Marie-Pier', 0, 0, 4], ['Jessica', 0, 1, 5],
      ['Léa', 0, 0, 6], ['Noémie', 0, 0, 5], ['Rosalie', 0, 0, 4], ['Frédérique', 0, 0, 3], ['Anne-Sophie', 0, 0, 4], ['Gabrielle', 0, 1, 5],
      ['Chloé', 0, 0, 5], ['Justine', 0, 0, 4], ['Andréanne', 0, 1, 3], ['Vanessa', 0, 1, 3], ['Amélie', 0, 2, 4], ['Claire', 2, 1, 1],
      ['Françoise', 4, 1, 0], ['Jacqueline', 4, 0, 0], ['Christiane', 4, 1, 0], ['Christine', 2, 4, 1], ['Dominique', 2, 4, 1],
      ['Élise', 1, 1, 2], ['Maude', 0, 1, 3], ['Ève', 0, 1, 2], ['Josiane', 0, 2, 2], ['Mireille', 2, 2, 0], ['Gisèle', 4, 0, 0],
      ['Yolande', 3, 0, 0], ['Rachel', 2, 1, 1], ['Patricia', 1, 3, 0], ['Marianne', 0, 1, 3], ['Élodie', 0, 0, 3],
    ],
    m: [
      ['Jean', 10, 2, 0], ['Pierre', 8, 3, 1], ['Michel', 9, 3, 0], ['Claude', 6, 2, 0], ['André', 7, 2, 0], ['Jacques', 7, 1, 0],
      ['Gilles', 6, 2, 0], ['Réjean', 5, 2, 0], ['Gaétan', 5, 2, 0], ['Denis', 5, 4, 0], ['Yvon', 5, 0, 0], ['Roger', 5, 0, 0],
      ['Marcel', 5, 0, 0], ['Guy', 6, 1, 0], ['Raymond', 4, 0, 0], ['Serge', 5, 3, 0], ['Normand', 4, 1, 0], ['Robert', 5, 1, 0],
      ['Richard', 4, 3, 0], ['Alain', 4, 6, 0], ['Daniel', 4, 7, 1], ['Luc', 2, 6, 1], ['Marc', 2, 7, 1], ['François', 2, 7, 3],
      ['Sylvain', 1, 8, 0], ['Stéphane', 0, 9, 1], ['Martin', 1, 9, 1], ['Éric', 0, 8, 1], ['Patrick', 0, 7, 1], ['Sébastien', 0, 7, 3],
      ['Jean-François', 0, 8, 2], ['Jean-Philippe', 0, 4, 3], ['Pierre-Luc', 0, 2, 4], ['Marc-André', 0, 5, 3], ['Jean-Sébastien', 0, 3, 1],
      ['Mathieu', 0, 5, 5], ['Nicolas', 0, 5, 4], ['Dominic', 0, 4, 1], ['Frédéric', 0, 6, 2], ['Benoît', 1, 5, 1], ['Yannick', 0, 4, 1],
      ['Steve', 0, 4, 1], ['Christian', 2, 5, 0], ['Mario', 2, 5, 0], ['Alexandre', 0, 3, 7], ['Maxime', 0, 2, 7], ['Samuel', 0, 1, 7],
      ['Gabriel', 0, 1, 7], ['William', 0, 0, 6], ['Félix', 0, 0, 6], ['Olivier', 0, 2, 6], ['Vincent', 0, 3, 5], ['Simon', 0, 3, 4],
      ['Philippe', 0, 4, 5], ['Guillaume', 0, 3, 5], ['Antoine', 0, 1, 6], ['Jérémy', 0, 0, 4], ['Kevin', 0, 1, 4], ['Thomas', 0, 1, 5],
      ['Raphaël', 0, 0, 4], ['Louis', 3, 1, 3], ['Étienne', 1, 2, 4], ['Charles', 2, 1, 3], ['Émile', 1, 0, 3], ['Julien', 0, 2, 4],
      ['David', 0, 4, 4], ['Louis-Philippe', 0, 1, 3], ['Jean-Guy', 3, 1, 0], ['Jean-Marc', 3, 2, 0], ['Jean-Pierre', 4, 2, 0],
      ['Jean-Claude', 4, 1, 0], ['Jean-Luc', 2, 2, 0], ['Paul', 4, 1, 1], ['Gérard', 4, 0, 0], ['Fernand', 3, 0, 0], ['Laurent', 2, 1, 2],
      ['Hugo', 0, 1, 4], ['Yves', 5, 2, 0], ['Bernard', 4, 1, 0], ['Jérôme', 0, 3, 2], ['Francis', 0, 3, 2],
    ],
  },
  en: {
    f: [
      ['Mary', 8, 2, 0], ['Patricia', 6, 2, 0], ['Linda', 5, 3, 0], ['Barbara', 5, 1, 0], ['Elizabeth', 5, 3, 2], ['Margaret', 6, 1, 0],
      ['Susan', 5, 3, 0], ['Dorothy', 4, 0, 0], ['Carol', 4, 1, 0], ['Nancy', 4, 2, 0], ['Joan', 4, 0, 0], ['Judith', 4, 1, 0],
      ['Janet', 4, 2, 0], ['Heather', 1, 5, 1], ['Karen', 2, 6, 0], ['Lisa', 1, 6, 0], ['Jennifer', 0, 8, 2], ['Michelle', 0, 6, 1],
      ['Kimberly', 0, 4, 1], ['Amanda', 0, 4, 2], ['Melissa', 0, 5, 1], ['Stephanie', 0, 4, 2], ['Rebecca', 0, 3, 2], ['Laura', 1, 4, 3],
      ['Sarah', 1, 5, 4], ['Jessica', 0, 4, 4], ['Emily', 0, 1, 6], ['Emma', 1, 0, 5], ['Hannah', 0, 0, 4], ['Megan', 0, 2, 4],
      ['Olivia', 0, 0, 5], ['Chloe', 0, 0, 4], ['Rachel', 0, 3, 3], ['Catherine', 3, 3, 2], ['Katherine', 2, 3, 3], ['Kathleen', 4, 2, 0],
      ['Victoria', 1, 1, 3], ['Alexandra', 0, 2, 3], ['Samantha', 0, 1, 4], ['Deborah', 2, 4, 0], ['Jacqueline', 3, 2, 0], ['Anne', 4, 2, 1],
      ['Helen', 4, 0, 0], ['Ruth', 3, 0, 0], ['Shirley', 3, 0, 0], ['Sandra', 2, 4, 0], ['Fiona', 0, 2, 1], ['Siobhan', 0, 1, 1],
      ['Grace', 1, 0, 3], ['Julia', 0, 1, 3], ['Natalie', 0, 2, 3], ['Eileen', 3, 0, 0],
    ],
    m: [
      ['John', 9, 4, 1], ['Robert', 8, 4, 1], ['William', 7, 3, 3], ['James', 7, 4, 3], ['Michael', 4, 8, 3], ['David', 5, 7, 3],
      ['Richard', 5, 3, 0], ['Thomas', 4, 3, 3], ['Charles', 4, 1, 1], ['Joseph', 4, 2, 1], ['George', 4, 1, 0], ['Donald', 4, 1, 0],
      ['Kenneth', 4, 2, 0], ['Ronald', 3, 1, 0], ['Edward', 4, 1, 1], ['Peter', 5, 3, 1], ['Paul', 4, 4, 1], ['Mark', 1, 6, 1],
      ['Steven', 1, 5, 1], ['Stephen', 2, 4, 1], ['Brian', 1, 6, 1], ['Kevin', 0, 5, 1], ['Jason', 0, 5, 1], ['Christopher', 0, 6, 3],
      ['Matthew', 0, 4, 5], ['Daniel', 1, 4, 4], ['Andrew', 1, 4, 4], ['Ryan', 0, 2, 5], ['Patrick', 2, 4, 2], ['Sean', 0, 3, 2],
      ['Ian', 1, 3, 1], ['Colin', 1, 3, 1], ['Gregory', 1, 3, 0], ['Timothy', 1, 3, 1], ['Anthony', 1, 3, 2], ['Jonathan', 0, 3, 3],
      ['Nicholas', 0, 2, 4], ['Alexander', 0, 1, 4], ['Benjamin', 0, 1, 4], ['Samuel', 0, 1, 4], ['Joshua', 0, 1, 4], ['Liam', 0, 0, 4],
      ['Ethan', 0, 0, 4], ['Noah', 0, 0, 3], ['Jacob', 0, 0, 4], ['Frederick', 3, 0, 0], ['Harold', 3, 0, 0], ['Henry', 2, 0, 1],
      ['Lawrence', 2, 1, 0], ['Gerald', 3, 1, 0], ['Frank', 3, 1, 0], ['Arthur', 3, 0, 0],
    ],
  },
};

/**
 * Surnames in rank order; weights are Zipf-like, 1 / (rank + offset), which with
 * the offsets of quebec-people.ts puts Tremblay near 1.7% of French-speaking people.
 */
export const FRENCH_SURNAMES: readonly string[] = [
  'Tremblay', 'Gagnon', 'Roy', 'Côté', 'Bouchard', 'Gauthier', 'Morin', 'Lavoie', 'Fortin', 'Gagné', 'Ouellet', 'Pelletier', 'Bélanger',
  'Lévesque', 'Bergeron', 'Leblanc', 'Paquette', 'Girard', 'Simard', 'Boucher', 'Caron', 'Beaulieu', 'Cloutier', 'Dubé', 'Poirier',
  'Fournier', 'Lapointe', 'Leclerc', 'Lefebvre', 'Poulin', 'Thibault', 'St-Pierre', 'Nadeau', 'Martin', 'Landry', 'Martel', 'Bédard',
  'Grenier', 'Lessard', 'Bernier', 'Richard', 'Michaud', 'Hébert', 'Desjardins', 'Couture', 'Turcotte', 'Lachance', 'Parent', 'Blais',
  'Gosselin', 'Savard', 'Proulx', 'Beaudoin', 'Demers', 'Perreault', 'Boudreau', 'Lemieux', 'Cyr', 'Perron', 'Dufour', 'Dion', 'Mercier',
  'Bolduc', 'Bérubé', 'Boivin', 'Langlois', 'Ménard', 'Vachon', 'Gingras', 'Lacroix', 'Rousseau', 'Dupuis', 'Gilbert', 'Thériault',
  'Labbé', 'Charbonneau', 'Bourque', 'Lambert', 'Chabot', 'Robert', 'Brassard', 'Dumont', 'Bisson', 'Jean', 'Paradis', 'Grégoire',
  'Lalonde', 'Harvey', 'Lemay', 'Villeneuve', 'Carrier', 'Brunet', 'Giroux', 'Champagne', 'Drouin', 'Daigle', 'Pépin', 'Laroche',
  'Deschênes', 'Guay', 'Allard', 'Béland', 'Labelle', 'Paré', 'Séguin', 'Lacasse', 'Vaillancourt', 'Brisson', 'Pouliot', 'Arsenault',
  'Fontaine', 'Hamel', 'Lebel', 'Auger', 'Moreau', 'Marcoux', 'Rioux', 'Boulanger', 'Lamontagne', 'Dionne', 'Cormier', 'Laflamme',
  'Laplante', 'Denis', 'Houle', 'Doyon', 'Laliberté', 'Labrecque', 'Racine', 'Veilleux', 'Picard', 'Renaud', 'Chartrand', 'Légaré',
  'Lauzon', 'Lavallée', 'Desrosiers', 'Larouche', 'Gervais', 'Després', 'Trudel', 'Lacombe', 'Brodeur', 'Larivière', 'Lavigne',
  'Gaudreault', 'Larose', 'Boisvert', 'Audet', 'Émond', 'Thibodeau', "D'Amours", 'Charest', 'Bélisle', 'Fréchette', 'Gendron',
  'Provencher', 'Sirois', 'Tessier', 'Vézina', 'Thibeault', 'Boily', 'Lajoie', 'Desrochers', 'Houde', 'Bouffard', 'Descôteaux',
  'Gélinas', 'Lortie', 'Gaudet', 'Massé', 'Lussier', 'Nolet', 'Dallaire', 'Plante', 'Pilon', 'Gravel', 'Bouthillier', 'Bégin',
  'Coulombe', 'Lacoste', 'Jacques', 'Baril', 'Dussault', 'Rivard', 'Archambault', 'Ducharme', 'Lapierre', 'Beauchamp', 'Bourassa',
  'Cantin', 'Goulet', 'Levasseur', 'Loiselle', 'Beauregard', 'Roberge', 'Maltais', 'Tanguay', 'Labonté', 'Rochon', 'Leduc', 'Bilodeau',
  'Morissette', 'Fleury', 'Deslauriers', 'Lamarche', 'Bertrand', 'Duval', 'Marchand', 'Forget', 'Legault', 'Lachapelle', 'Laurin',
  'Lévêque', 'Laberge', 'Caouette', 'Robitaille', 'Desautels', 'Mongeau', 'Trottier', 'St-Onge', 'St-Laurent', 'St-Jean', 'Ste-Marie',
  'Beaudry', 'Vallée', 'Corriveau', 'Soucy', 'Lemelin', 'Latulippe', 'Guérin', 'Dumais', 'Ouimet', 'Marleau', 'Chouinard', 'Théberge',
  'Painchaud', 'Boudreault', 'Tardif', 'Samson', 'Charron', 'Routhier', 'Marceau', 'Jolicoeur', 'Lagacé', 'Sauvé', 'Bourgeois',
];

export const ENGLISH_SURNAMES: readonly string[] = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Wilson', 'MacDonald', 'Campbell', 'Stewart', 'Murphy', "O'Brien", 'Kelly', 'Taylor', 'Jones',
  'Miller', 'Davis', 'Anderson', 'Thomas', 'Scott', 'Robertson', 'Reid', 'Fraser', 'Murray', 'Young', 'Clark', 'White', 'Thompson',
  'Walker', 'Hall', 'Morrison', 'MacLeod', 'McKenzie', 'Sullivan', 'Ryan', "O'Connor", 'Walsh', 'Byrne', 'Kennedy', 'Gallagher', 'Doyle',
  'Burke', 'Hughes', 'Evans', 'Edwards', 'Wright', 'King', 'Green', 'Baker', 'Adams', 'Mitchell', 'Graham', 'Hamilton', 'Henderson',
  'Johnston', 'Bell', 'Grant', 'Lewis', 'Roberts', 'Wood', 'Cooper', 'Phillips', 'Turner', 'Parker', 'Morgan', 'Collins', 'Ross',
  'Gordon', 'Cameron', 'Sinclair', 'Ferguson', 'Hunter', 'Watson', 'Paterson', 'Mackay', 'McLean', 'Boyle', 'Quinn', 'Flynn', 'Brennan',
  'Daly', 'Power', 'Nolan', 'Moore', 'Jackson', 'Harris', 'Allen', 'Wallace', 'Kerr', 'Russell', 'Fisher', 'Hart', 'Stone', 'Ward',
  'Price', 'Lawson', 'Dunn', 'Barrett', 'Keane', 'Hayes', "O'Neill", 'McCarthy', 'Lynch', 'Carroll', 'Duncan', 'Armstrong', 'Chapman',
  'Elliott', 'Sutherland', 'Black', 'Gray', 'Hill',
];

/** Families from elsewhere, French- or English-speaking in Quebec (Vietnamese, Lebanese, Haitian, Italian, Jewish, Chinese...). */
export const OTHER_SURNAMES: readonly string[] = [
  'Nguyen', 'Tran', 'Lee', 'Cohen', 'Levy', 'Haddad', 'Khoury', 'Joseph', 'Pierre', 'Rossi', 'Pham', 'Chen', 'Le', 'Wong', 'Russo',
  'Charles', 'Jean-Baptiste', 'Saad', 'Nassar', 'Khalil', 'Esposito', 'Romano', 'Wang', 'Li', 'Zhang', 'Liu', 'Lam', 'Kim', 'Park',
  'Patel', 'Singh', 'Shah', 'Goldberg', 'Friedman', 'Katz', 'Rosenberg', 'Schwartz', 'Klein', 'Weiss', 'Ferrari', 'Ricci', 'Colombo',
  'De Luca', 'Lombardi', 'Marino', 'Costa', 'Silva', 'Santos', 'Pereira', 'Rodriguez', 'Garcia', 'Lopez', 'Martinez', 'Hernandez',
  'Gonzalez', 'Papadopoulos', 'Georgiou', 'Hakim', 'Mansour', 'Benali', 'Belkacem', 'Bouzid', 'Saint-Fleur', 'Augustin', 'Alexis',
  'Célestin', 'Dorval', 'Noël', 'Désir', 'Louis-Jean',
];

/**
 * Short forms, both ways: a record may say "Bob" where another says "Robert".
 * Shared short forms (Alex, Chris, Pat, Sam) are why two people of a household
 * never get first names whose groups overlap.
 */
export const NICKNAMES: Readonly<Record<string, readonly string[]>> = {
  // English
  Robert: ['Bob', 'Rob', 'Bobby'], William: ['Bill', 'Will', 'Billy'], Michael: ['Mike'], James: ['Jim', 'Jimmy', 'Jamie'],
  Katherine: ['Kate', 'Katie', 'Kathy'], Kathleen: ['Kathy', 'Kate'], Elizabeth: ['Liz', 'Beth', 'Betty'], Thomas: ['Tom', 'Tommy'],
  Daniel: ['Dan', 'Danny'], David: ['Dave'], Christopher: ['Chris'], Richard: ['Rick', 'Rich', 'Dick'], Joseph: ['Joe'],
  Jennifer: ['Jen', 'Jenny'], Margaret: ['Maggie', 'Peggy', 'Meg'], Patricia: ['Pat', 'Patty', 'Trish'], Patrick: ['Pat'],
  Anthony: ['Tony'], Matthew: ['Matt'], Andrew: ['Andy', 'Drew'], Edward: ['Ed', 'Eddie', 'Ted'], Samuel: ['Sam'], Benjamin: ['Ben'],
  Nicholas: ['Nick'], Alexander: ['Alex'], Jonathan: ['Jon'], Steven: ['Steve'], Stephen: ['Steve'], Timothy: ['Tim'], Susan: ['Sue', 'Susie'],
  Deborah: ['Deb', 'Debbie'], Rebecca: ['Becky'], Victoria: ['Vicky', 'Tori'], Jessica: ['Jess'], Stephanie: ['Steph'], Gregory: ['Greg'],
  Kenneth: ['Ken', 'Kenny'], Ronald: ['Ron'], Donald: ['Don'], Gerald: ['Gerry'], Lawrence: ['Larry'], Peter: ['Pete'],
  Charles: ['Charlie', 'Chuck'], Frederick: ['Fred'], Alexandra: ['Alex', 'Sasha'], Samantha: ['Sam'], Jacqueline: ['Jackie'],
  Harold: ['Harry'], Henry: ['Hank', 'Harry'], Joshua: ['Josh'], Kimberly: ['Kim'], Judith: ['Judy'], Dorothy: ['Dot', 'Dottie'],
  Barbara: ['Barb'], Amanda: ['Mandy'], Melissa: ['Mel'], Michelle: ['Shelly'], Sandra: ['Sandy'], Jacob: ['Jake'], Arthur: ['Art'],
  Natalie: ['Nat'], Catherine: ['Cathy', 'Kate', 'Cath'], Emily: ['Em'], Rachel: ['Rach'],
  // French (fewer: Quebec records seldom shorten a French first name)
  Alexandre: ['Alex'], Maxime: ['Max'], Frédéric: ['Fred'], Stéphanie: ['Steph'], Sébastien: ['Seb'], Véronique: ['Véro'],
  Valérie: ['Val'], Gabriel: ['Gab'], Gabrielle: ['Gaby', 'Gab'], Nathalie: ['Nat'], Christian: ['Chris'], Christine: ['Chris'],
  Dominique: ['Dom'], Nicolas: ['Nico'], Philippe: ['Phil'], Raphaël: ['Raph'], Olivier: ['Oli'], Caroline: ['Caro'],
  Frédérique: ['Fred'], Dominic: ['Dom'], Guillaume: ['Guill'], Mathieu: ['Math'], Émilie: ['Emy'],
};

/** Email providers by share; employers come from EMPLOYER_DOMAINS. */
export const EMAIL_DOMAINS: readonly (readonly [string, number])[] = [
  ['gmail.com', 30], ['videotron.ca', 16], ['hotmail.com', 14], ['outlook.com', 6], ['hotmail.ca', 4], ['sympatico.ca', 5], ['yahoo.ca', 5],
  ['yahoo.com', 2], ['icloud.com', 4], ['live.ca', 3], ['bell.net', 2], ['globetrotter.net', 2], ['cgocable.ca', 1], ['me.com', 1],
];

export const EMPLOYER_DOMAINS: readonly string[] = [
  'umontreal.ca', 'ulaval.ca', 'mcgill.ca', 'uqam.ca', 'usherbrooke.ca', 'concordia.ca', 'desjardins.com', 'hydroquebec.com', 'cgi.com',
  'videotron.com', 'bell.ca', 'bnc.ca', 'cssdm.gouv.qc.ca', 'ssss.gouv.qc.ca', 'mss.gouv.qc.ca', 'ville.montreal.qc.ca', 'ville.quebec.qc.ca',
  'cegepmontpetit.ca', 'saq.qc.ca', 'lapresse.ca',
];

/** Words people build an email from when it is not their name. */
export const EMAIL_WORDS: readonly string[] = [
  'soleil', 'lapin', 'hibou', 'loup', 'chat', 'pingouin', 'bleuet', 'erable', 'maple', 'moose', 'castor', 'nordique', 'canadien',
  'boreal', 'riviere', 'montagne', 'etoile', 'papillon', 'tigre', 'panda', 'musique', 'theatre', 'velo', 'hockey', 'jazz', 'poesie',
];

export interface PlaceData {
  city: string;
  /** Forward sortation areas (first three characters of the postal code) of the city. */
  fsas: readonly string[];
  /** The area code and its overlay. */
  areaCodes: readonly [string, string];
  /** Relative population for French- and English-speaking people. */
  weight: { fr: number; en: number };
  /** Share of homes that are apartments (an "app." line). */
  apartments: number;
  /** Official French forms; a trailing "*" marks a street also written in English ("Peel Street", "Sherbrooke St W"). */
  streets: readonly string[];
}

const MTL = ['514', '438'] as const;
const SOUTH = ['450', '579'] as const;
const EAST = ['418', '581'] as const;
const CENTRE = ['819', '873'] as const;

export const PLACES: readonly PlaceData[] = [
  {
    city: 'Montréal', areaCodes: MTL, weight: { fr: 26, en: 30 }, apartments: 0.6,
    fsas: [
      'H1E', 'H1G', 'H1H', 'H1L', 'H1M', 'H1N', 'H1R', 'H1S', 'H1T', 'H1V', 'H1W', 'H1X', 'H1Y', 'H1Z', 'H2A', 'H2B', 'H2C', 'H2E', 'H2G',
      'H2H', 'H2J', 'H2K', 'H2L', 'H2M', 'H2N', 'H2P', 'H2R', 'H2S', 'H2T', 'H2V', 'H2W', 'H2X', 'H2Y', 'H3A', 'H3B', 'H3C', 'H3G', 'H3H',
      'H3J', 'H3K', 'H3L', 'H3M', 'H3N', 'H3S', 'H3T', 'H3V', 'H3W', 'H3X', 'H4A', 'H4B', 'H4C', 'H4E', 'H4G', 'H4H', 'H4J', 'H4K', 'H4L',
      'H4M', 'H4N', 'H4R', 'H8N', 'H8P', 'H8R', 'H8S', 'H8T', 'H8Y', 'H8Z', 'H9C', 'H9E', 'H9K',
    ],
    streets: [
      'rue Saint-Denis', 'boulevard Saint-Laurent*', 'rue Sherbrooke Est', 'rue Sherbrooke Ouest*', 'rue Sainte-Catherine Est',
      'rue Sainte-Catherine Ouest*', 'boulevard René-Lévesque Est', 'boulevard René-Lévesque Ouest*', 'avenue du Mont-Royal Est',
      'rue Ontario Est', 'avenue Papineau', 'rue Rachel Est', 'avenue Christophe-Colomb', 'rue Masson', 'avenue Laurier Ouest',
      'chemin de la Côte-des-Neiges', 'rue Beaubien Est', 'rue Fleury Est', 'avenue De Lorimier', 'rue Notre-Dame Ouest*', 'rue Saint-Hubert',
      'avenue du Parc', 'rue de Bleury', 'boulevard Rosemont', 'rue Jean-Talon Est', 'rue Jean-Talon Ouest', 'boulevard Pie-IX',
      'rue Hochelaga', 'avenue Van Horne*', 'avenue Monkland*', 'boulevard Décarie*', 'rue Wellington*', 'rue Saint-Zotique Est',
      'rue Bélanger', 'boulevard Saint-Michel', 'rue Villeray', 'rue De Castelnau Est', 'avenue Henri-Julien', 'rue Drolet', 'rue Clark*',
      "avenue de l'Esplanade", 'avenue Coloniale', 'rue Marie-Anne Est', 'rue Gilford', 'avenue Bernard Ouest*', 'avenue Querbes',
      'rue Saint-Urbain', 'boulevard Gouin Ouest', 'boulevard Henri-Bourassa Est', 'rue Lajeunesse', 'avenue Girouard*', 'avenue Northcliffe*',
      'rue Peel*', 'rue Stanley*', 'avenue Old Orchard*', 'avenue Harvard*', 'rue Jarry Est', 'rue Everett', 'rue de la Montagne*',
      'rue Saint-Mathieu*', 'rue Drummond*', 'rue Sherbrooke Est', 'avenue Casgrain', 'rue Chabot', 'rue Boyer', 'avenue Durocher',
    ],
  },
  {
    city: 'Laval', areaCodes: SOUTH, weight: { fr: 7, en: 4 }, apartments: 0.35,
    fsas: ['H7A', 'H7B', 'H7C', 'H7E', 'H7G', 'H7H', 'H7K', 'H7L', 'H7M', 'H7N', 'H7P', 'H7R', 'H7S', 'H7T', 'H7V', 'H7W', 'H7X', 'H7Y'],
    streets: [
      'boulevard des Laurentides', 'boulevard Saint-Martin Ouest', 'boulevard de la Concorde Est', 'boulevard Lévesque Est',
      'boulevard Cartier Ouest', 'rue Principale', 'avenue des Bois', 'boulevard Sainte-Rose', 'boulevard Le Corbusier', 'boulevard Chomedey*',
      'rue Lucien-Paiement', 'boulevard Dagenais Ouest', 'rue de Villebon', 'avenue Ampère',
    ],
  },
  {
    city: 'Longueuil', areaCodes: SOUTH, weight: { fr: 5, en: 2 }, apartments: 0.35,
    fsas: ['J4G', 'J4H', 'J4J', 'J4K', 'J4L', 'J4M', 'J4N', 'J3Y', 'J4T'],
    streets: [
      'rue Saint-Charles Ouest', 'chemin de Chambly', 'boulevard Roland-Therrien', 'rue Saint-Laurent Ouest', 'boulevard Taschereau',
      'rue Bourassa', 'boulevard Curé-Poirier Est', 'rue de Gentilly Est', 'boulevard Jacques-Cartier Est', 'rue Grant*',
    ],
  },
  {
    city: 'Brossard', areaCodes: SOUTH, weight: { fr: 1.5, en: 1.5 }, apartments: 0.3,
    fsas: ['J4W', 'J4X', 'J4Y', 'J4Z'],
    streets: ['boulevard Taschereau', 'boulevard Rome', 'avenue Auteuil', 'boulevard Lapinière', 'avenue Malo', 'rue Orchard*', 'boulevard du Quartier'],
  },
  {
    city: 'Boucherville', areaCodes: SOUTH, weight: { fr: 1.2, en: 0.3 }, apartments: 0.2,
    fsas: ['J4B'], streets: ['boulevard de Mortagne', 'rue De Montbrun', 'boulevard Marie-Victorin', 'chemin du Lac', 'rue Samuel-De Champlain'],
  },
  {
    city: 'Terrebonne', areaCodes: SOUTH, weight: { fr: 2.5, en: 0.4 }, apartments: 0.2,
    fsas: ['J6W', 'J6X', 'J6Y', 'J7M'], streets: ['boulevard des Seigneurs', 'rue Saint-Louis', 'boulevard Moody', 'montée Masson', 'chemin Gascon', 'rue Saint-Pierre'],
  },
  {
    city: 'Repentigny', areaCodes: SOUTH, weight: { fr: 2, en: 0.3 }, apartments: 0.2,
    fsas: ['J5Y', 'J6A', 'J5Z'], streets: ['boulevard Iberville', 'rue Notre-Dame', 'boulevard Brien', 'rue Valmont', 'boulevard Lacombe'],
  },
  {
    city: 'Saint-Jean-sur-Richelieu', areaCodes: SOUTH, weight: { fr: 2, en: 0.4 }, apartments: 0.25,
    fsas: ['J2W', 'J3A', 'J3B'], streets: ['rue Richelieu', 'boulevard du Séminaire Nord', 'rue Saint-Jacques', "boulevard d'Iberville", 'rue Champlain'],
  },
  {
    city: 'Blainville', areaCodes: SOUTH, weight: { fr: 1.4, en: 0.4 }, apartments: 0.15,
    fsas: ['J7B', 'J7C', 'J7E'], streets: ['boulevard Curé-Labelle', 'boulevard de Fontainebleau', 'chemin du Plan-Bouchard', 'rue de la Seigneurie'],
  },
  {
    city: 'Saint-Jérôme', areaCodes: SOUTH, weight: { fr: 1.8, en: 0.3 }, apartments: 0.3,
    fsas: ['J5L', 'J7Y', 'J7Z'], streets: ['rue Saint-Georges', 'boulevard des Laurentides', 'rue De Martigny Ouest', 'rue Labelle', 'rue Parent'],
  },
  {
    city: 'Mirabel', areaCodes: SOUTH, weight: { fr: 1.2, en: 0.2 }, apartments: 0.1,
    fsas: ['J7J', 'J7N'], streets: ['boulevard de Saint-Canut', 'rue Victor', 'montée Sainte-Marianne', 'rang Saint-Vincent'],
  },
  {
    city: 'Saint-Eustache', areaCodes: SOUTH, weight: { fr: 1, en: 0.3 }, apartments: 0.25,
    fsas: ['J7P', 'J7R'], streets: ['rue Saint-Eustache', 'boulevard Arthur-Sauvé', '25e Avenue', 'rue Saint-Louis'],
  },
  {
    city: 'Mascouche', areaCodes: SOUTH, weight: { fr: 1, en: 0.2 }, apartments: 0.1,
    fsas: ['J7K', 'J7L'], streets: ['chemin Sainte-Marie', 'montée Masson', 'rue Dupras', 'chemin des Anglais*'],
  },
  {
    city: 'Châteauguay', areaCodes: SOUTH, weight: { fr: 1, en: 0.6 }, apartments: 0.2,
    fsas: ['J6J', 'J6K'], streets: ["boulevard D'Anjou", 'boulevard Saint-Jean-Baptiste', 'rue Principale', 'boulevard Salaberry Sud', 'rue McLeod*'],
  },
  {
    city: 'Vaudreuil-Dorion', areaCodes: SOUTH, weight: { fr: 1, en: 0.8 }, apartments: 0.2,
    fsas: ['J7V'], streets: ['boulevard de la Cité-des-Jeunes', 'rue Saint-Charles', 'avenue Saint-Charles', 'rue Trudeau', 'boulevard Harwood*'],
  },
  {
    city: 'Chambly', areaCodes: SOUTH, weight: { fr: 0.8, en: 0.2 }, apartments: 0.15,
    fsas: ['J3L'], streets: ['boulevard De Périgny', 'avenue Bourgogne', 'rue Martel', 'boulevard Fréchette'],
  },
  {
    city: 'Sainte-Julie', areaCodes: SOUTH, weight: { fr: 0.8, en: 0.1 }, apartments: 0.1,
    fsas: ['J3E'], streets: ['rue Principale', 'boulevard Armand-Frappier', 'chemin du Fer-à-Cheval', 'rue Jules-Choquet'],
  },
  {
    city: 'Saint-Hyacinthe', areaCodes: SOUTH, weight: { fr: 1.5, en: 0.1 }, apartments: 0.3,
    fsas: ['J2R', 'J2S', 'J2T'], streets: ['rue des Cascades', 'boulevard Laframboise', 'avenue Sainte-Anne', 'rue Girouard Ouest', 'rue Saint-Antoine'],
  },
  {
    city: 'Granby', areaCodes: SOUTH, weight: { fr: 1.6, en: 0.3 }, apartments: 0.3,
    fsas: ['J2G', 'J2H', 'J2J'], streets: ['rue Principale', 'boulevard Leclerc Ouest', 'rue Denison Est', 'rue Drummond*', 'rue Dufferin*'],
  },
  {
    city: 'Cowansville', areaCodes: SOUTH, weight: { fr: 0.3, en: 0.3 }, apartments: 0.2,
    fsas: ['J2K'], streets: ['rue du Sud', 'rue Principale', 'rue Albert*', 'rue Church*'],
  },
  {
    city: 'Sherbrooke', areaCodes: CENTRE, weight: { fr: 3.5, en: 2 }, apartments: 0.4,
    fsas: ['J1E', 'J1G', 'J1H', 'J1J', 'J1K', 'J1L', 'J1M', 'J1N'],
    streets: [
      'rue King Ouest*', 'rue Wellington Nord*', 'boulevard de Portland', 'rue Galt Ouest*', 'rue Belvédère Sud', 'boulevard Jacques-Cartier Nord',
      'rue Queen*', 'boulevard Bourque', 'rue Terrill*', 'rue Prospect*', 'rue King Est*', "boulevard de l'Université",
    ],
  },
  {
    city: 'Magog', areaCodes: CENTRE, weight: { fr: 0.6, en: 0.2 }, apartments: 0.25,
    fsas: ['J1X'], streets: ['rue Principale Ouest', 'rue Merry Nord*', 'rue Sherbrooke*', 'chemin de la Rivière'],
  },
  {
    city: 'Drummondville', areaCodes: CENTRE, weight: { fr: 1.8, en: 0.1 }, apartments: 0.3,
    fsas: ['J2A', 'J2B', 'J2C', 'J2E'], streets: ['rue Lindsay', 'boulevard Saint-Joseph', 'rue Heriot', 'boulevard Mercure', 'rue Brock*', 'rue Cockburn*'],
  },
  {
    city: 'Victoriaville', areaCodes: CENTRE, weight: { fr: 1, en: 0.05 }, apartments: 0.25,
    fsas: ['G6P', 'G6S', 'G6T'], streets: ['boulevard des Bois-Francs Nord', 'rue Notre-Dame Est', 'boulevard Jutras Est', 'rue Laurier Ouest'],
  },
  {
    city: 'Gatineau', areaCodes: CENTRE, weight: { fr: 5, en: 3 }, apartments: 0.3,
    fsas: ['J8L', 'J8M', 'J8P', 'J8R', 'J8T', 'J8V', 'J8X', 'J8Y', 'J8Z', 'J9A', 'J9H', 'J9J'],
    streets: [
      'boulevard Saint-Joseph', 'rue Laurier', 'boulevard Maloney Ouest', 'rue Principale', 'boulevard Gréber', 'boulevard de la Gappe',
      'rue Montcalm', "chemin d'Aylmer", 'boulevard Saint-René Ouest', 'rue Eddy*', 'chemin Vanier', 'rue Notre-Dame',
    ],
  },
  {
    city: 'Trois-Rivières', areaCodes: CENTRE, weight: { fr: 2.5, en: 0.1 }, apartments: 0.35,
    fsas: ['G8T', 'G8V', 'G8W', 'G8Y', 'G8Z', 'G9A', 'G9B', 'G9C'],
    streets: [
      'rue des Forges', 'boulevard des Récollets', 'rue Royale', 'boulevard des Chenaux', 'boulevard des Forges', 'rue Notre-Dame Centre',
      'boulevard Jean-XXIII', 'rue Hart*',
    ],
  },
  {
    city: 'Shawinigan', areaCodes: CENTRE, weight: { fr: 1, en: 0.05 }, apartments: 0.3,
    fsas: ['G9N', 'G9P', 'G9R', 'G9T'], streets: ['avenue de la Station', 'avenue Broadway*', 'boulevard des Hêtres', '5e Rue de la Pointe', 'avenue Champlain'],
  },
  {
    city: 'Québec', areaCodes: EAST, weight: { fr: 10, en: 1.5 }, apartments: 0.45,
    fsas: [
      'G1C', 'G1E', 'G1G', 'G1H', 'G1J', 'G1K', 'G1L', 'G1M', 'G1N', 'G1P', 'G1R', 'G1S', 'G1T', 'G1V', 'G1W', 'G1X', 'G1Y', 'G2A', 'G2B',
      'G2C', 'G2E', 'G2G', 'G2J', 'G2K', 'G2L', 'G2M', 'G3E', 'G3G', 'G3K',
    ],
    streets: [
      'Grande Allée Est', 'rue Saint-Jean', 'rue Saint-Joseph Est', 'boulevard René-Lévesque Ouest', '3e Avenue', 'chemin Sainte-Foy',
      'avenue Cartier', 'avenue Maguire', 'rue de la Couronne', '1re Avenue', 'boulevard Charest Est', 'avenue Myrand', 'rue des Érables',
      'avenue Belvédère', 'boulevard Henri-Bourassa', 'avenue Royale', 'rue du Marais', 'boulevard Laurier', 'avenue de Bourlamaque',
      'rue Saint-Vallier Ouest', 'avenue des Oblats', 'boulevard Wilfrid-Hamel', 'rue de la Canardière', 'avenue Chauveau', 'rue Dalhousie*',
      'avenue Murray*', 'rue Saint-Olivier', 'boulevard Pierre-Bertrand',
    ],
  },
  {
    city: 'Lévis', areaCodes: EAST, weight: { fr: 2.5, en: 0.05 }, apartments: 0.25,
    fsas: ['G6V', 'G6W', 'G6X', 'G6Y', 'G6Z', 'G6K', 'G7A'],
    streets: ['boulevard Guillaume-Couture', 'côte du Passage', 'boulevard Alphonse-Desjardins', 'rue Saint-Laurent', 'route du Président-Kennedy', 'rue de la Concorde'],
  },
  {
    city: 'Saguenay', areaCodes: EAST, weight: { fr: 2.7, en: 0.05 }, apartments: 0.25,
    fsas: ['G7B', 'G7G', 'G7H', 'G7J', 'G7K', 'G7S', 'G7X'],
    streets: ['rue Racine Est', 'boulevard Talbot', 'rue Saint-Dominique', 'boulevard Saint-Paul', 'boulevard Harvey', 'rue Bagot', 'boulevard du Royaume', 'rue Price*'],
  },
  {
    city: 'Alma', areaCodes: EAST, weight: { fr: 0.6, en: 0.01 }, apartments: 0.2,
    fsas: ['G8B', 'G8E'], streets: ['avenue du Pont', 'boulevard Saint-Luc', 'rue Sacré-Coeur Ouest', 'rue Collard'],
  },
  {
    city: 'Rimouski', areaCodes: EAST, weight: { fr: 0.9, en: 0.02 }, apartments: 0.3,
    fsas: ['G5L', 'G5M', 'G5N'], streets: ['rue Saint-Germain Ouest', 'boulevard René-Lepage Est', 'avenue de la Cathédrale', 'rue Saint-Pierre', 'boulevard Jessop*'],
  },
  {
    city: 'Rivière-du-Loup', areaCodes: EAST, weight: { fr: 0.4, en: 0.01 }, apartments: 0.25,
    fsas: ['G5R'], streets: ['rue Lafontaine', "boulevard de l'Hôtel-de-Ville", 'rue Fraser*', 'rue Témiscouata'],
  },
  {
    city: 'Sept-Îles', areaCodes: EAST, weight: { fr: 0.4, en: 0.05 }, apartments: 0.25,
    fsas: ['G4R', 'G4S'], streets: ['boulevard Laure', 'avenue Brochu', 'rue Smith*', 'avenue Arnaud'],
  },
  {
    city: 'Baie-Comeau', areaCodes: EAST, weight: { fr: 0.35, en: 0.02 }, apartments: 0.2,
    fsas: ['G4Z', 'G5C'], streets: ['boulevard Laflèche', 'boulevard Blanche', 'avenue Mance', 'rue Bossé'],
  },
  {
    city: 'Gaspé', areaCodes: EAST, weight: { fr: 0.2, en: 0.1 }, apartments: 0.1,
    fsas: ['G4X'], streets: ['rue de la Reine', 'boulevard de Gaspé', 'montée Wakeham', 'rue Jacques-Cartier'],
  },
  {
    city: 'Thetford Mines', areaCodes: EAST, weight: { fr: 0.4, en: 0.02 }, apartments: 0.2,
    fsas: ['G6G', 'G6H'], streets: ['boulevard Frontenac Ouest', 'rue Notre-Dame Est', 'rue Saint-Alphonse Nord', 'boulevard Smith Sud'],
  },
  {
    city: 'Saint-Georges', areaCodes: EAST, weight: { fr: 0.5, en: 0.01 }, apartments: 0.2,
    fsas: ['G5Y', 'G5Z'], streets: ['boulevard Lacroix', '1re Avenue', '118e Rue', 'boulevard Dionne'],
  },
  {
    city: 'Rouyn-Noranda', areaCodes: CENTRE, weight: { fr: 0.6, en: 0.05 }, apartments: 0.25,
    fsas: ['J9X', 'J9Y'], streets: ['avenue Larivière', 'rue Perreault Est', 'avenue Principale', 'rue Murdoch*', 'boulevard Rideau'],
  },
  {
    city: "Val-d'Or", areaCodes: CENTRE, weight: { fr: 0.5, en: 0.03 }, apartments: 0.25,
    fsas: ['J9P'], streets: ['3e Avenue', 'boulevard Forest', 'rue Germain', 'boulevard Jean-Jacques-Cossette'],
  },
  {
    city: 'Joliette', areaCodes: SOUTH, weight: { fr: 0.7, en: 0.02 }, apartments: 0.3,
    fsas: ['J6E'], streets: ['boulevard Manseau', 'rue Notre-Dame', 'rue Saint-Charles-Borromée Nord', 'boulevard Base-de-Roc'],
  },
  {
    city: 'Sorel-Tracy', areaCodes: SOUTH, weight: { fr: 0.6, en: 0.05 }, apartments: 0.25,
    fsas: ['J3P', 'J3R'], streets: ['rue du Roi', 'boulevard Fiset', 'chemin Saint-Ouen', 'rue George*'],
  },
  {
    city: 'Pointe-Claire', areaCodes: MTL, weight: { fr: 0.3, en: 2.5 }, apartments: 0.2,
    fsas: ['H9R', 'H9S'], streets: ['boulevard Saint-Jean', 'chemin du Bord-du-Lac-Lakeshore', 'avenue Donegani*', 'boulevard Hymus*', 'avenue Cartier*', 'avenue Braebrook*'],
  },
  {
    city: 'Dollard-des-Ormeaux', areaCodes: MTL, weight: { fr: 0.4, en: 2.5 }, apartments: 0.2,
    fsas: ['H9A', 'H9B', 'H9G'], streets: ['boulevard des Sources', 'boulevard Saint-Jean', 'boulevard De Salaberry', 'rue Spring Garden*', 'rue Hyman*'],
  },
  {
    city: 'Kirkland', areaCodes: MTL, weight: { fr: 0.2, en: 1.2 }, apartments: 0.1,
    fsas: ['H9H', 'H9J'], streets: ['boulevard Saint-Charles', 'boulevard Brunswick*', 'rue Timberlea-Trail*', 'boulevard Hymus*'],
  },
  {
    city: 'Beaconsfield', areaCodes: MTL, weight: { fr: 0.1, en: 1.2 }, apartments: 0.05,
    fsas: ['H9W'], streets: ['boulevard Beaconsfield*', 'chemin du Bord-du-Lac', 'croissant Windermere*', 'rue Elm*', 'avenue Woodland*'],
  },
  {
    city: 'Westmount', areaCodes: MTL, weight: { fr: 0.2, en: 2 }, apartments: 0.35,
    fsas: ['H3Y', 'H3Z'], streets: ['avenue Victoria*', 'rue Sherbrooke Ouest*', 'avenue Greene*', 'avenue Lansdowne*', 'chemin de la Côte-Saint-Antoine', 'avenue Grosvenor*'],
  },
  {
    city: 'Mont-Royal', areaCodes: MTL, weight: { fr: 0.6, en: 1 }, apartments: 0.2,
    fsas: ['H3P', 'H3R', 'H4P'], streets: ['chemin Canora', 'boulevard Graham*', 'avenue Roosevelt*', 'chemin Lucerne*', 'avenue Dunrae*'],
  },
  {
    city: 'Côte-Saint-Luc', areaCodes: MTL, weight: { fr: 0.2, en: 1.8 }, apartments: 0.4,
    fsas: ['H4V', 'H4W'], streets: ['chemin de la Côte-Saint-Luc', 'avenue Westminster Nord*', 'boulevard Cavendish*', 'chemin Kildare*', 'avenue Marc-Chagall'],
  },
];

/** French street types, their abbreviations, and the English type used when the street is written in English. */
export const STREET_TYPES: Readonly<Record<string, { short: readonly string[]; english: string | null }>> = {
  rue: { short: ['r.'], english: 'Street' },
  avenue: { short: ['av.', 'ave', 'av'], english: 'Avenue' },
  boulevard: { short: ['boul.', 'bd', 'boul', 'blvd'], english: 'Boulevard' },
  chemin: { short: ['ch.', 'chem.'], english: 'Road' },
  montée: { short: ['mtée'], english: null },
  rang: { short: ['rg'], english: null },
  route: { short: ['rte'], english: null },
  côte: { short: [], english: null },
  croissant: { short: ['crois.'], english: 'Crescent' },
  place: { short: ['pl.'], english: 'Place' },
};

export const ENGLISH_TYPE_SHORT: Readonly<Record<string, readonly string[]>> = {
  Street: ['St', 'St.'], Avenue: ['Ave', 'Ave.', 'Av.'], Boulevard: ['Blvd', 'Blvd.', 'Boul.'], Road: ['Rd', 'Rd.'], Crescent: ['Cres', 'Cr.'],
  Place: ['Pl', 'Pl.'],
};

/** Direction words: French, English, and their short forms. */
export const DIRECTIONS: Readonly<Record<string, { short: string; english: string; englishShort: string }>> = {
  Est: { short: 'E.', english: 'East', englishShort: 'E' },
  Ouest: { short: 'O.', english: 'West', englishShort: 'W' },
  Nord: { short: 'N.', english: 'North', englishShort: 'N' },
  Sud: { short: 'S.', english: 'South', englishShort: 'S' },
  Centre: { short: 'Centre', english: 'Centre', englishShort: 'Centre' },
};
