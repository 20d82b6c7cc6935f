// SPDX-License-Identifier: BSD-3-Clause
/**
 * Argument validators for the public API's boundary. Each checks one argument, returns it narrowed,
 * and otherwise throws DosekitError E_INVALID_ARGUMENT whose message names the argument, what it
 * accepts and what was given, so that a wrong call fails at once with a code instead of as a
 * TypeError or a silently wrong result deep inside a calculation.
 */
import { DosekitError } from './errors.js';

/** A short, bounded description of any value for an error message ("null", "the string \"ab\"", "NaN"). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : `the number ${value}`;
  if (typeof value === 'bigint') return `the bigint ${value}`;
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : `the string ${JSON.stringify(value)}`;
  if (typeof value === 'boolean') return `${value}`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of ${value.byteLength} bytes`;
  const name = (value as object).constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}

function fail(name: string, accepts: string, value: unknown): never {
  throw new DosekitError('E_INVALID_ARGUMENT', `${name} must be ${accepts} (got ${describeValue(value)}).`, { argument: name });
}

/** Numeric bounds, inclusive unless the `…Exclusive` flag is set. */
export interface NumberRange {
  readonly min?: number;
  readonly max?: number;
  readonly minExclusive?: boolean;
}

function rangeText(range: NumberRange): string {
  const parts: string[] = [];
  if (range.min !== undefined) parts.push(`${range.minExclusive ? '>' : '>='} ${range.min}`);
  if (range.max !== undefined) parts.push(`<= ${range.max}`);
  return parts.length ? ` ${parts.join(' and ')}` : '';
}

function inRange(value: number, range: NumberRange): boolean {
  if (range.min !== undefined && (range.minExclusive ? !(value > range.min) : !(value >= range.min))) return false;
  return range.max === undefined || value <= range.max;
}

/** A plain object (not null, not an array, not a function). */
export function requireObject(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(name, 'an object', value);
  return value as Record<string, unknown>;
}

/**
 * An options object: undefined (meaning "no options") or an object whose own keys are all in
 * `accepted`. Unknown keys are refused because a misspelt option silently ignored is a silently
 * wrong result.
 */
export function requireOptions(value: unknown, name: string, accepted: readonly string[]): Record<string, unknown> {
  if (value === undefined) return {};
  const options = requireObject(value, name);
  for (const key of Object.keys(options)) {
    if (!accepted.includes(key)) {
      throw new DosekitError(
        'E_INVALID_ARGUMENT',
        `${name} has no option "${key}"; the accepted options are ${accepted.length ? accepted.join(', ') : '(none)'}.`,
        { argument: name, option: key, accepted },
      );
    }
  }
  return options;
}

/** A finite number within `range`. */
export function requireFiniteNumber(value: unknown, name: string, range: NumberRange = {}): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !inRange(value, range)) fail(name, `a finite number${rangeText(range)}`, value);
  return value;
}

/** An integer within `range`. */
export function requireInteger(value: unknown, name: string, range: NumberRange = {}): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || !inRange(value, range)) fail(name, `an integer${rangeText(range)}`, value);
  return value;
}

/** An integer >= 1 and <= `max`. */
export function requirePositiveInteger(value: unknown, name: string, max: number = Number.MAX_SAFE_INTEGER): number {
  return requireInteger(value, name, { min: 1, max });
}

/** A string; non-empty when `nonEmpty`. */
export function requireString(value: unknown, name: string, nonEmpty = false): string {
  if (typeof value !== 'string' || (nonEmpty && value.length === 0)) fail(name, nonEmpty ? 'a non-empty string' : 'a string', value);
  return value;
}

/** A boolean. */
export function requireBoolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') fail(name, 'true or false', value);
  return value;
}

/** A function. */
export function requireFunction(value: unknown, name: string): (...args: never[]) => unknown {
  if (typeof value !== 'function') fail(name, 'a function', value);
  return value as (...args: never[]) => unknown;
}

/** Bytes: a Uint8Array (a Node Buffer is one), or an ArrayBuffer. */
export function requireBytes(value: unknown, name: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  return fail(name, 'a Uint8Array or an ArrayBuffer of bytes', value);
}

/** One of `choices` (compared with ===). */
export function requireOneOf<T extends string | number | boolean>(value: unknown, name: string, choices: readonly T[]): T {
  if (!choices.includes(value as T)) fail(name, `one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`, value);
  return value as T;
}

/** An array (not a string or other iterable) whose every element passes `check`, given `name[i]`. */
export function requireArrayOf<T>(value: unknown, name: string, check: (element: unknown, elementName: string) => T, range: NumberRange = {}): T[] {
  if (!Array.isArray(value)) fail(name, 'an array', value);
  if (!inRange(value.length, range)) fail(name, `an array whose length is${rangeText(range)}`, value);
  return value.map((element, i) => check(element, `${name}[${i}]`));
}

/**
 * A list of numbers: an array of numbers or a numeric typed array (not a string, not an array of
 * strings). With `finite`, NaN and the infinities are refused too.
 */
export function requireNumberList(value: unknown, name: string, finite = true): ArrayLike<number> {
  const accepts = `an array of ${finite ? 'finite ' : ''}numbers`;
  if (!Array.isArray(value) && !(ArrayBuffer.isView(value) && !(value instanceof DataView) && !(value instanceof BigInt64Array) && !(value instanceof BigUint64Array))) fail(name, accepts, value);
  const list = value as ArrayLike<unknown>;
  for (let i = 0; i < list.length; i += 1) {
    const v = list[i];
    if (typeof v !== 'number' || (finite && !Number.isFinite(v))) fail(`${name}[${i}]`, finite ? 'a finite number' : 'a number', v);
  }
  return list as ArrayLike<number>;
}

/** An instance of `type` (a class), described as `what` in the message. */
export function requireInstance<T>(value: unknown, name: string, type: abstract new (...args: never[]) => T, what: string): T {
  if (!(value instanceof type)) fail(name, what, value);
  return value;
}

/** `check(value)` unless the value is undefined (an omitted optional argument or option). */
export function optional<T>(value: unknown, name: string, check: (value: unknown, name: string) => T): T | undefined {
  return value === undefined ? undefined : check(value, name);
}
