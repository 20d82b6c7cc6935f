// SPDX-License-Identifier: BSD-3-Clause
import { DosekitError } from '../errors.js';

/** What an option takes: a flag (boolean), one value, or a value that may repeat. */
export type OptionKind = 'flag' | 'value' | 'list';

/** Declaration of one command-line option. */
export interface OptionSpec {
  readonly name: string;
  readonly kind: OptionKind;
  readonly alias?: string;
  readonly description: string;
  readonly defaultText?: string;
}

/** Parsed command line: options by name and the positional arguments. */
export interface ParsedArgs {
  readonly options: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positionals: readonly string[];
}

/**
 * A small strict parser: `--name value`, `--name=value`, `-a value`, repeated list options.
 * Unknown options are a usage error (E_USAGE) naming the option, never silently ignored.
 */
export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[], command: string): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byAlias = new Map(specs.filter((s) => s.alias).map((s) => [s.alias as string, s]));
  const options: Record<string, string | boolean | string[] | undefined> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const key = eq >= 0 ? arg.slice(0, eq) : arg;
    const spec = key.startsWith('--') ? byName.get(key.slice(2)) : byAlias.get(key.slice(1));
    if (!spec) throw new DosekitError('E_USAGE', `unknown option ${key} for \`dosekit ${command}\`; see \`dosekit ${command} --help\`.`);
    if (spec.kind === 'flag') {
      if (eq >= 0) throw new DosekitError('E_USAGE', `option --${spec.name} takes no value.`);
      options[spec.name] = true;
      continue;
    }
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      i += 1;
    }
    if (value === undefined) throw new DosekitError('E_USAGE', `option --${spec.name} needs a value; see \`dosekit ${command} --help\`.`);
    if (spec.kind === 'list') options[spec.name] = [...((options[spec.name] as string[] | undefined) ?? []), value];
    else options[spec.name] = value;
  }
  return { options, positionals };
}

/** Help text listing every option with its default. */
export function formatHelp(usage: string, summary: string, specs: readonly OptionSpec[]): string {
  const lines = [`Usage: ${usage}`, '', summary, '', 'Options:'];
  const left = specs.map((s) => `${s.alias ? `-${s.alias}, ` : '    '}--${s.name}${s.kind === 'flag' ? '' : ' <value>'}`);
  const width = Math.max(...left.map((l) => l.length), 10) + 2;
  specs.forEach((s, i) => lines.push(`  ${left[i].padEnd(width)}${s.description}${s.defaultText ? ` (default: ${s.defaultText})` : ''}`));
  return `${lines.join('\n')}\n`;
}

/** The accepted range of a numeric option. */
export interface NumberRange {
  readonly min?: number;
  /** When true, `min` itself is refused (a positive number: min 0, minExclusive). */
  readonly minExclusive?: boolean;
  readonly max?: number;
  readonly integer?: boolean;
  /** What the number is, for the message: "a number of mm". */
  readonly what?: string;
}

/** A plain decimal number: no hex, no empty text, no "Infinity" or "NaN" (Number() takes all of those). */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

function rangeText(range: NumberRange): string {
  const kind = range.what ?? (range.integer ? 'a whole number' : 'a number');
  if (range.min !== undefined && range.max !== undefined) return `${kind} ${range.minExclusive ? 'above' : 'from'} ${range.min} ${range.minExclusive ? 'up ' : ''}to ${range.max}`;
  if (range.min !== undefined) return `${kind} ${range.minExclusive ? 'above' : 'of at least'} ${range.min}`;
  if (range.max !== undefined) return `${kind} up to ${range.max}`;
  return kind;
}

/**
 * A numeric option's value, checked: a finite decimal number within `range`, else E_USAGE naming
 * the option, what it got and the accepted range. Undefined when the option was not given.
 */
export function numberOption(value: unknown, name: string, range: NumberRange = {}): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  const n = DECIMAL.test(text) ? Number(text) : Number.NaN;
  const ok =
    Number.isFinite(n) &&
    (!range.integer || Number.isSafeInteger(n)) &&
    (range.min === undefined || (range.minExclusive ? n > range.min : n >= range.min)) &&
    (range.max === undefined || n <= range.max);
  if (!ok) throw new DosekitError('E_USAGE', `--${name} needs ${rangeText(range)} (got ${JSON.stringify(value)}).`, { option: name, value });
  return n;
}
