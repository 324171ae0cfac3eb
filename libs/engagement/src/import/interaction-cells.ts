import { ANALYTICS_TIME_ZONE } from '../analytics/engagement-stats.models.js';

// The reasons these parsers give never quote the cell: an import's errors are read by roles that may not see it.

/**
 * Dollars as box-office exports write them, to integer cents: "45.50", "45,50" (French decimal comma), "1 234,50 $",
 * "$1,234.50", "45". Null for a blank cell; a string (the reason) when it is not an amount.
 */
export function parseAmountCents(text: string): number | null | string {
  let value = text.replace(/[\s\u00a0\u202f$]/g, '').replace(/^CAD|CAD$/i, '');
  if (value === '') return null;
  // the last "," or "." followed by 1 or 2 digits is the decimal separator; the other one may group thousands
  const decimal = /([.,])(\d{1,2})$/.exec(value);
  const cents = decimal ? decimal[2].padEnd(2, '0') : '00';
  if (decimal) value = value.slice(0, decimal.index);
  const grouped = /^\d{1,3}(?:([.,])\d{3})+$/.exec(value);
  if (grouped && grouped[1] !== decimal?.[1]) value = value.replace(/[.,]/g, '');
  if (!/^\d{1,12}$/.test(value)) return 'not an amount (e.g. 45.50 or 45,50)';
  return Number(value) * 100 + Number(cents);
}

/** A whole number of at most 9 digits; null for a blank cell; a string (the reason) otherwise. */
export function parseCount(text: string): number | null | string {
  const value = text.trim();
  if (value === '') return null;
  return /^\d{1,9}$/.test(value) ? Number(value) : 'not a whole number';
}

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * "2025-10-03 19:30", "2025-10-03T19:30:00-04:00", "2025-10-03" (midnight). Without an offset, the time is Quebec's
 * (America/Toronto, daylight saving included). Null for a blank cell; a string (the reason) when it is not a time.
 */
export function parseDateTime(text: string): Date | null | string {
  const value = text.trim();
  if (value === '') return null;
  const match = DATE_TIME.exec(value);
  const bad = 'not a date and time (YYYY-MM-DD HH:MM, local time, or ISO 8601)';
  if (!match) return bad;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '0', offset] = match;
  const fields = [
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(s),
    Number(fraction.padEnd(3, '0').slice(0, 3)),
  ] as const;
  const asUtc = Date.UTC(...fields);
  const check = new Date(asUtc);
  if (
    check.getUTCMonth() !== fields[1] ||
    check.getUTCDate() !== fields[2] ||
    fields[3] > 23 ||
    fields[4] > 59 ||
    fields[5] > 59
  )
    return bad;
  if (offset) {
    if (/^z$/i.test(offset)) return new Date(asUtc);
    const [, sign, oh, om] = /^([+-])(\d{2}):?(\d{2})$/.exec(offset)!;
    return new Date(asUtc - (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om)) * 60_000);
  }
  return new Date(asUtc - localOffsetMs(asUtc));
}

/** By day: the day's offset, or null when it changes that day (daylight saving begins or ends). */
const offsets = new Map<number, number | null>();
const torontoParts = new Intl.DateTimeFormat('en-US', {
  timeZone: ANALYTICS_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
});

/** How far Toronto's wall clock is from UTC (negative) at `instant`. */
function offsetAt(instant: number): number {
  const parts = Object.fromEntries(torontoParts.formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  return (
    Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute)) -
    Math.floor(instant / 60_000) * 60_000
  );
}

/**
 * Toronto's offset from UTC at the wall-clock time `wallAsUtc` (read as if it were UTC). Learned once per day, or
 * per hour on the two days a year the clocks change; in the hour skipped in spring the later offset applies.
 */
function localOffsetMs(wallAsUtc: number): number {
  const day = Math.floor(wallAsUtc / 86_400_000);
  const ofDay = offsets.get(day);
  if (typeof ofDay === 'number') return ofDay;
  // the offset at the instant the wall time is, taking the offset at that wall time read as UTC as a first guess
  const exact = (wall: number) => offsetAt(wall - offsetAt(wall));
  if (ofDay === undefined) {
    const [start, end] = [exact(day * 86_400_000), exact(day * 86_400_000 + 86_399_999)];
    offsets.set(day, start === end ? start : null);
    if (start === end) return start;
  }
  return exact(Math.floor(wallAsUtc / 3_600_000) * 3_600_000);
}
