/** Quebec's 17 administrative regions (official French names, in official numbering order 01–17). */
export const QUEBEC_REGIONS: readonly string[] = Object.freeze([
  'Bas-Saint-Laurent',
  'Saguenay–Lac-Saint-Jean',
  'Capitale-Nationale',
  'Mauricie',
  'Estrie',
  'Montréal',
  'Outaouais',
  'Abitibi-Témiscamingue',
  'Côte-Nord',
  'Nord-du-Québec',
  'Gaspésie–Îles-de-la-Madeleine',
  'Chaudière-Appalaches',
  'Laval',
  'Lanaudière',
  'Laurentides',
  'Montérégie',
  'Centre-du-Québec',
]);

/*
 * Forward sortation areas (first 3 characters) mapped to the region of the town they serve.
 * Sources: Canada Post FSA place names (as listed in Wikipedia's "List of postal codes of
 * Canada: G/H/J"), each town placed in its region as defined by the Quebec government
 * (MAMH). The per-FSA table was compiled by hand and spot-checked, not generated from an
 * official FSA-to-region file: review it before using it for legal reporting.
 * Precision over coverage: an FSA is listed only when it serves one urban centre whose
 * region is unambiguous. Rural FSAs (second character 0, e.g. G0A, J0K) span several
 * regions and are never mapped. Brome-Missisquoi and La Haute-Yamaska (Granby, Cowansville)
 * moved from Montérégie to Estrie on 8 July 2021, hence J2G–J2K under Estrie.
 */
const BY_PREFIX: Readonly<Record<string, string>> = {
  // Island of Montreal; H0 (Akwesasne, H0H) and H6 (unused) are excluded.
  H1: 'Montréal',
  H2: 'Montréal',
  H3: 'Montréal',
  H4: 'Montréal',
  H5: 'Montréal',
  H8: 'Montréal',
  H9: 'Montréal',
  H7: 'Laval',
  // Québec City and its northern suburbs, Portneuf and Charlevoix towns.
  G1: 'Capitale-Nationale',
  G2: 'Capitale-Nationale',
  G3: 'Capitale-Nationale',
  // Longueuil agglomeration (Longueuil, Brossard, Boucherville, Saint-Lambert).
  J4: 'Montérégie',
};

const REGION_FSAS: Readonly<Record<string, readonly string[]>> = {
  'Capitale-Nationale': ['G4A', 'G5A'], // Clermont, La Malbaie
  'Bas-Saint-Laurent': ['G4W', 'G5H', 'G5J', 'G5L', 'G5M', 'G5N', 'G5R'], // Matane, Mont-Joli, Amqui, Rimouski, Rivière-du-Loup
  'Côte-Nord': ['G4R', 'G4S', 'G4Z', 'G5B', 'G5C'], // Sept-Îles, Baie-Comeau, Port-Cartier
  'Gaspésie–Îles-de-la-Madeleine': ['G4T', 'G4V', 'G4X'], // Îles-de-la-Madeleine, Sainte-Anne-des-Monts, Gaspé
  'Chaudière-Appalaches': [
    ...['G6C', 'G6V', 'G6W', 'G6X', 'G6Y', 'G6Z', 'G7A'], // Lévis
    ...['G5Y', 'G5Z', 'G6A'], // Saint-Georges
    ...['G5V', 'G6E', 'G6G', 'G6H'], // Montmagny, Sainte-Marie, Thetford Mines
  ],
  'Centre-du-Québec': [
    ...['G6L', 'G6P', 'G6R', 'G6S', 'G6T'], // Plessisville, Victoriaville
    ...['J2A', 'J2B', 'J2C', 'J2E'], // Drummondville
    ...['G9H', 'J3T'], // Bécancour, Nicolet
  ],
  'Saguenay–Lac-Saint-Jean': [
    ...['G7B', 'G7G', 'G7H', 'G7J', 'G7K', 'G7S', 'G7T', 'G7X', 'G7Y', 'G7Z', 'G8A'], // Saguenay
    ...['G8B', 'G8C', 'G8E'], // Alma
    ...['G8H', 'G8K', 'G8L', 'G8M'], // Roberval, Saint-Félicien, Dolbeau-Mistassini, Normandin
  ],
  'Nord-du-Québec': ['G8P'], // Chibougamau
  Mauricie: [
    ...['G8T', 'G8V', 'G8W', 'G8Y', 'G8Z', 'G9A', 'G9B', 'G9C'], // Trois-Rivières
    ...['G9N', 'G9P', 'G9R', 'G9T', 'G9X'], // Shawinigan, La Tuque
  ],
  Estrie: [
    ...['J1E', 'J1G', 'J1H', 'J1J', 'J1K', 'J1L', 'J1M', 'J1N'], // Sherbrooke
    ...['J1X', 'G6B'], // Magog, Lac-Mégantic
    ...['J2G', 'J2H', 'J2J', 'J2K'], // Granby, Cowansville (Estrie since 2021)
  ],
  Outaouais: ['J8L', 'J8M', 'J8P', 'J8R', 'J8T', 'J8V', 'J8X', 'J8Y', 'J8Z', 'J9A', 'J9H', 'J9J'], // Gatineau, Cantley
  'Abitibi-Témiscamingue': ['J9P', 'J9T', 'J9X', 'J9Y', 'J9Z'], // Val-d'Or, Amos, Rouyn-Noranda, La Sarre
  Laurentides: [
    ...['J6Z', 'J7A', 'J7B', 'J7C', 'J7E'], // Lorraine, Rosemère, Blainville, Sainte-Thérèse
    ...['J7J', 'J7P', 'J7R', 'J7Y', 'J7Z'], // Mirabel, Saint-Eustache, Deux-Montagnes, Saint-Jérôme
    ...['J8E', 'J8H', 'J9L'], // Mont-Tremblant, Lachute, Mont-Laurier
  ],
  Lanaudière: [
    ...['J5Y', 'J6A', 'J6E'], // Repentigny, Joliette
    ...['J6W', 'J6X', 'J6Y', 'J7K', 'J7L'], // Terrebonne, Mascouche
  ],
  Montérégie: [
    ...['J3E', 'J3G', 'J3H', 'J3L', 'J3V', 'J3X', 'J3Y'], // Sainte-Julie, Beloeil, Mont-Saint-Hilaire, Chambly, Saint-Bruno, Varennes, Saint-Hubert
    ...['J2R', 'J2S', 'J2T'], // Saint-Hyacinthe
    ...['J2W', 'J2X', 'J2Y', 'J3A', 'J3B'], // Saint-Jean-sur-Richelieu
    ...['J3P', 'J3R'], // Sorel-Tracy
    ...['J6J', 'J6K', 'J6S', 'J6T'], // Châteauguay, Salaberry-de-Valleyfield
    ...['J7T', 'J7V'], // Vaudreuil-Dorion, Saint-Lazare, L'Île-Perrot
  ],
};

const BY_FSA: ReadonlyMap<string, string> = new Map(
  Object.entries(REGION_FSAS).flatMap(([region, fsas]) => fsas.map((fsa) => [fsa, region] as const)),
);

/**
 * Quebec administrative region for a postal code, from its forward sortation area, or null
 * when the code is not a Quebec (G/H/J) code or the FSA is not reliably in one region.
 * Accepts the code in any case and spacing.
 */
export function quebecRegionFromPostalCode(postalCode: string | null): string | null {
  const fsa = (postalCode ?? '').replace(/\s+/gu, '').slice(0, 3).toUpperCase();
  if (!/^[GHJ]\d[A-Z]$/u.test(fsa)) return null;
  return BY_FSA.get(fsa) ?? BY_PREFIX[fsa.slice(0, 2)] ?? null;
}
