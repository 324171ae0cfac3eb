/**
 * Boroughs, sectors and former municipalities of Quebec's merged cities (2002), by the city they are part of, as
 * matchName folds them: an export may say "Saint-Léonard", "Hull" or "Sainte-Foy" where another says Montréal,
 * Gatineau or Québec. Written from the cities' official boroughs and sectors, not from any data set. The island's
 * demerged cities (Westmount, Mont-Royal…) are cities of their own and are not listed.
 */
const AREAS_OF: Record<string, readonly string[]> = {
  montreal: [
    ...['ahuntsic cartierville', 'ahuntsic', 'cartierville', 'anjou', 'cote des neiges notre dame de grace'],
    ...['cote des neiges', 'notre dame de grace', 'ndg', 'lachine', 'lasalle', 'le plateau mont royal'],
    ...['plateau mont royal', 'le plateau', 'le sud ouest', 'sud ouest', 'saint henri', 'pointe saint charles'],
    ...['verdun', 'ile des soeurs', 'ile bizard sainte genevieve', 'ile bizard', 'mercier hochelaga maisonneuve'],
    ...['hochelaga maisonneuve', 'hochelaga', 'mercier', 'montreal nord', 'outremont', 'pierrefonds roxboro'],
    ...['pierrefonds', 'roxboro', 'riviere des prairies pointe aux trembles', 'riviere des prairies'],
    ...['pointe aux trembles', 'rosemont la petite patrie', 'rosemont', 'la petite patrie', 'petite patrie'],
    ...['saint laurent', 'ville saint laurent', 'saint leonard', 'ville marie', 'vieux montreal'],
    ...['villeray saint michel parc extension', 'villeray', 'saint michel', 'parc extension', 'mile end'],
    ...['griffintown', 'centre ville', 'downtown'],
  ],
  laval: [
    ...['chomedey', 'laval des rapides', 'pont viau', 'duvernay', 'vimont', 'auteuil', 'sainte rose', 'fabreville'],
    ...['sainte dorothee', 'laval ouest', 'laval sur le lac', 'saint francois', 'saint vincent de paul'],
  ],
  longueuil: ['saint hubert', 'greenfield park', 'vieux longueuil', 'lemoyne'],
  quebec: [
    ...['sainte foy', 'sillery', 'cap rouge', 'sainte foy sillery cap rouge', 'charlesbourg', 'beauport'],
    ...['loretteville', 'val belair', 'vanier', 'lac saint charles', 'saint emile', 'limoilou', 'la cite limoilou'],
    ...['vieux quebec', 'saint sauveur', 'saint roch', 'les rivieres', 'la haute saint charles'],
  ],
  gatineau: ['hull', 'aylmer', 'buckingham', 'masson angers'],
  saguenay: ['chicoutimi', 'jonquiere', 'la baie'],
  levis: [
    ...['saint romuald', 'charny', 'saint nicolas', 'saint jean chrysostome', 'pintendre', 'lauzon'],
    ...['saint etienne de lauzon', 'saint redempteur', 'desjardins', 'les chutes de la chaudiere'],
  ],
  'trois rivieres': ['cap de la madeleine', 'trois rivieres ouest', 'sainte marthe du cap', 'pointe du lac'],
  sherbrooke: ['fleurimont', 'lennoxville', 'rock forest', 'bromptonville', 'brompton', 'deauville'],
  terrebonne: ['lachenaie', 'la plaine'],
  repentigny: ['le gardeur'],
  'saint jean sur richelieu': ['iberville', 'saint luc', 'lacadie'],
  'mont royal': ['town of mount royal', 'mount royal', 'tmr'],
  'dollard des ormeaux': ['ddo'],
};

const CITY_OF = new Map<string, string>();
for (const [city, areas] of Object.entries(AREAS_OF)) {
  CITY_OF.set(city, city);
  // "Laval-Chomedey", "Longueuil (Saint-Hubert)": the city, then the area
  for (const area of areas) CITY_OF.set(area, city).set(`${city} ${area}`, city);
}
CITY_OF.set('mtl', 'montreal').set('qc', 'quebec');

// "Ville de Laval", "City of Québec", "Montréal (Québec)", "Québec City": the city's name, and what follows or leads it
const AROUND_A_CITY = /^(?:ville de |city of |cite de )?(.+?)(?: qc| quebec| canada| city)*$/;

const cityOfPlace = new Map<string, string>();

/** The city a folded place name is part of ("saint leonard", "ville de montreal", "mtl" → montreal), or the name. */
export function cityOf(place: string): string {
  if (!place) return '';
  let city = cityOfPlace.get(place);
  if (city === undefined) {
    const name = AROUND_A_CITY.exec(place)?.[1] ?? place;
    city = CITY_OF.get(name) ?? CITY_OF.get(place) ?? name;
    // a million contacts name a few thousand places; a hostile import may name more
    if (cityOfPlace.size >= 100_000) cityOfPlace.clear();
    cityOfPlace.set(place, city);
  }
  return city;
}
