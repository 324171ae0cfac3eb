import { it } from '@jest/globals';
import { DEFAULT_PARAMETERS, levelWeights } from './fellegi-sunter.js';
it('scratch', () => {
  console.log(JSON.stringify(levelWeights(DEFAULT_PARAMETERS).map((l) => l.map((w) => Math.round(w * 100) / 100))));
});
