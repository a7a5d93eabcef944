/**
 * One rule for when a written date and time is a real instant, shared by the normaliser
 * (`eventTime` and every timestamp field), the command lines (`--since`, `--until`) and the
 * detection windows: a date that exists in the calendar (no 2024-02-30, no 2023-02-29) and a time
 * of day from 00:00:00 to 23:59:59.
 *
 * Neither engine can be the check: JavaScript's Date.parse rolls `2024-02-30` over to March 1 and
 * reads `24:00:00` as the next day, while DuckDB reads `2024-02-30` as NULL but `24:00:00` as the
 * next day too, so a time kept because one of them read it lands in a partition (its date text)
 * that the instant is not in. A leap second (`23:59:60`) is refused as well: Date.parse and DuckDB
 * both refuse it, so no window could hold it; the text is kept verbatim by the normaliser.
 */

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/** Whether year-month-day exists in the (proleptic Gregorian) calendar. */
export function isRealDate(year: number, month: number, day: number): boolean {
    if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day) || month < 1 || month > 12 || day < 1) return false;
    return day <= (month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]);
}

/** Whether the fields name a real date and a time of day from 00:00:00 to 23:59:59. */
export function isRealDateTime(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): boolean {
    return isRealDate(year, month, day) && hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59;
}

const LEADING_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2}))?)?/;

/**
 * Whether the date (and time of day, when there is one) at the start of an ISO-8601 text is real;
 * what follows (fraction, zone) is the caller's to check. `2024-02-30T10:00:00Z`, `…T25:00:00Z` → false.
 */
export function hasRealDateTime(text: string): boolean {
    const match = LEADING_DATE_TIME.exec(text);
    if (!match) return false;
    const [, year, month, day, hour = "0", minute = "0", second = "0"] = match;
    return isRealDateTime(Number(year), Number(month), Number(day), Number(hour), Number(minute), Number(second));
}
