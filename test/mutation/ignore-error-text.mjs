// SPDX-License-Identifier: BSD-3-Clause
// A Stryker ignorer: the text and details of an error are not mutated. That is every argument of
// `new DosekitError(...)` or `requireArgument(...)` after the first, the argument name that the
// checks of src/validate.ts (`requireFiniteNumber(value, 'dose', range)`, ...) put in their
// message and details (their other arguments, such as the range, stay), a built-in Error's text, and
// every argument of an error-building helper thrown at once (`throw malformed(file, frame, why)`,
// `throw badStatistic(name, why)`). What callers rely on is the stable code, which stays mutated,
// and so do the conditions that decide whether to throw; the wording is checked by the CLI tests,
// which run the built package in a child process that mutation runs cannot reach.
import { PluginKind, declareValuePlugin } from '@stryker-mutator/api/plugin';

const ERROR_CLASSES = new Set(['DosekitError', 'Error', 'TypeError', 'RangeError']);

function calleeName(node) {
  return node.callee.type === 'Identifier' ? node.callee.name : undefined;
}

function isErrorTextArgument(path) {
  if (path.listKey !== 'arguments' || typeof path.key !== 'number') return false;
  const parentPath = path.parentPath;
  const parent = parentPath?.node;
  if (!parent || (parent.type !== 'CallExpression' && parent.type !== 'NewExpression')) return false;
  const name = calleeName(parent);
  // requireArgument(condition, message, details): the condition stays.
  if (parent.type === 'CallExpression' && name === 'requireArgument') return path.key >= 1;
  // requireFiniteNumber(value, name, range) and the other checks of src/validate.ts: the name.
  if (parent.type === 'CallExpression' && name !== undefined && /^require[A-Z]/.test(name)) return path.key === 1;
  if (parent.type === 'NewExpression' && name !== undefined && ERROR_CLASSES.has(name)) {
    // DosekitError(code, message, details): the code stays; a built-in Error's only argument is its text.
    return name === 'DosekitError' ? path.key >= 1 : true;
  }
  // throw helper(...): a function that builds the error (its code is fixed inside it).
  return parent.type === 'CallExpression' && parentPath.parentPath?.node.type === 'ThrowStatement';
}

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'error-text', {
    shouldIgnore(path) {
      return isErrorTextArgument(path) ? 'Error text and details: callers rely on the error code, which is still mutated.' : undefined;
    },
  }),
];
