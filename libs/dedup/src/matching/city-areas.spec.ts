import { describe, expect, it } from '@jest/globals';
import { cityOf } from './city-areas.js';
import { matchName } from './match-text.util.js';

describe('cityOf', () => {
  it.each([
    ['Saint-Léonard', 'montreal'],
    ['Rivière-des-Prairies', 'montreal'],
    ['Montréal (Québec)', 'montreal'],
    ['Ville de Montréal', 'montreal'],
    ['MTL', 'montreal'],
    ['Laval-Chomedey', 'laval'],
    ['Longueuil Saint-Hubert', 'longueuil'],
    ['Québec City', 'quebec'],
    ['Ville de Québec', 'quebec'],
    ['Ste-Foy', 'quebec'],
    ['Jonquière', 'saguenay'],
    ['Town of Mount Royal', 'mont royal'],
    // a city of its own, or a place the list does not know, is itself
    ['Westmount', 'westmount'],
    ['Rimouski', 'rimouski'],
    ['Quebec', 'quebec'],
    ['', ''],
  ])('places %p in %p', (place, city) => {
    expect(cityOf(matchName(place))).toBe(city);
  });
});
