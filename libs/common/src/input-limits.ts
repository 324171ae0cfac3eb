/**
 * How much one argument may carry. graphql-armor's cost limit reads the query document, not its variables, so every
 * list a caller can send (and every text in one) is bounded here, in its input type, and going over is BAD_USER_INPUT
 * naming the field. One place, so that the same kind of list has the same bound everywhere (a contact filter's tags
 * and an audience rule's tags); the README's "Limits" list repeats these figures.
 */
export const INPUT_LIMITS = {
  /** Values in a list of names or texts: tags, regions, interaction types, disciplines, offerings, venues, attribute values... */
  values: 100,
  /** Values in a list of an enum (consent states, languages, job kinds...): each once is all a list needs. */
  enumValues: 20,
  /** Conditions in a filter's list of conditions (consent, attributes). */
  conditions: 20,
  /** Contact ids in a filter. */
  filterIds: 1_000,
  /** Contact ids a bulk change names (tagging, static audience members, a dedup run). */
  targetIds: 10_000,
  /** Characters of a tag name (as the tags themselves). */
  tagLength: 100,
  /** Characters of any other value in a list: a region, venue, offering, campaign, attribute value... */
  valueLength: 500,
  /** Purposes a pool allows (each of its fixed vocabulary once). */
  poolPurposes: 3,
  /** Characters of a pool's name, and of its description. */
  poolName: 200,
  poolDescription: 2_000,
  /** Words of a contact search: each is one index range scan. */
  searchWords: 10,
} as const;
