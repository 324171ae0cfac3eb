// talisman ships CommonJS without type declarations; these are the functions used here.
declare module 'talisman/metrics/jaro-winkler.js' {
  /** Jaro-Winkler similarity, 0 (nothing alike) to 1 (identical). */
  export default function jaroWinkler(a: string, b: string): number;
}
declare module 'talisman/phonetics/french/fonem.js' {
  /** FONEM phonetic code of an uppercase name. */
  export default function fonem(name: string): string;
}
declare module 'talisman/phonetics/daitch-mokotoff.js' {
  /** Daitch-Mokotoff soundex codes of a name: one or more, for the ways its letters can sound. */
  export default function daitchMokotoff(name: string): string[];
}
