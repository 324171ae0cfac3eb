const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a date that exists, written YYYY-MM-DD ("2024-02-29" yes, "2023-02-29" no). Arithmetic, no Date: imports check millions. */
export function isCalendarDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

let today = { iso: '', until: 0 };

/** Today's date (UTC) as YYYY-MM-DD, recomputed at most once a minute. */
export function todayIso(): string {
  const now = Date.now();
  if (now >= today.until) today = { iso: new Date(now).toISOString().slice(0, 10), until: now + 60_000 };
  return today.iso;
}
