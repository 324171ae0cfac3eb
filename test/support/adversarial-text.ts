import vm from 'node:vm';
import fc from 'fast-check';

/*
 * Long adversarial text for the tests that hold every normalizer of tenant input to linear time: runs of the
 * characters patterns loop over (spaces, digits, dots, hyphens, commas...) with what makes them fail at the end.
 * A backtracking pattern is polynomial in such a run: a cubic one takes hours on 50 KB, a linear one milliseconds.
 */

/** What patterns over phones, dates, amounts, emails, names and addresses repeat or expect. */
const PIECES = [
  ' ',
  '  ',
  '\t',
  '\u00a0',
  '\n',
  '1',
  '9',
  '0',
  '.',
  '-',
  ',',
  '/',
  ':',
  '+',
  '(',
  ')',
  '#',
  '@',
  '$',
  '"',
  "'",
  '=',
  'a',
  'x',
  'Z',
  'T',
  'é',
  'p.',
  'poste',
  'ext',
  'CAD',
  'st',
  '\u0301',
];
const piece = fc.constantFrom(...PIECES);
const unit = fc.array(piece, { minLength: 1, maxLength: 3 }).map((pieces) => pieces.join(''));
const edge = fc.array(piece, { maxLength: 3 }).map((pieces) => pieces.join(''));

/** Text of `min` to `max` characters: a short head, one to three long runs of a repeated unit, a short tail. */
export function adversarialText({ min = 10_000, max = 50_000 } = {}): fc.Arbitrary<string> {
  return fc
    .tuple(edge, fc.array(unit, { minLength: 1, maxLength: 3 }), edge, fc.integer({ min, max }))
    .map(([head, units, tail, size]) => {
      const each = Math.ceil(size / units.length);
      return head + units.map((u) => u.repeat(Math.ceil(each / u.length)).slice(0, each)).join('') + tail;
    });
}

/** Inputs known to be worst cases of a pattern fixed before (the phone extension), at 50 KB. */
export const KNOWN_WORST_CASES: readonly string[] = [
  `1${' '.repeat(50_000)}1`,
  `514 555 0101${' '.repeat(50_000)}poste 22x`,
  `1${' , '.repeat(16_000)}p.`,
  `a@${'a.'.repeat(25_000)}1`,
  `${'1'.repeat(50_000)}.`,
  `2025-01-01${' '.repeat(50_000)}x`,
  `${'1,'.repeat(25_000)}x`,
  `${'-'.repeat(50_000)}x`,
];

/**
 * Runs `fn(input)` and fails if it has not finished after `seconds`. The bound is not what is asserted — linear
 * code finishes in milliseconds — but a catastrophic pattern blocks the thread, so no Jest timeout could stop it:
 * the test would hang for hours instead of failing. node:vm's timeout interrupts even a running regular expression.
 */
export function finishesWithin<T>(seconds: number, fn: (input: string) => T, input: string): T {
  return vm.runInNewContext('fn(input)', { fn, input }, { timeout: seconds * 1000 }) as T;
}
