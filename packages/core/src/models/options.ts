/**
 * A numeric option, or its default when it is missing or not a number: a NaN (a setting parsed
 * from a string) would otherwise fail every request (`limit: NaN`), expire a timer at once or
 * disable a bound (`length > NaN` is never true).
 */
export function numberOption(value: number | undefined, fallback: number): number {
  return value === undefined || Number.isNaN(value) ? fallback : value;
}
