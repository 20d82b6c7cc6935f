// SPDX-License-Identifier: BSD-3-Clause
// A Stryker ignorer: the text and details of an error (every argument of `new DosekitError(...)`
// or `requireArgument(...)` after the first, and a built-in Error's text) are not mutated. What callers rely on is the stable
// code, which stays mutated; the wording is checked by the CLI tests, which run the built
// package in a child process that mutation runs cannot reach.
import { PluginKind, declareValuePlugin } from '@stryker-mutator/api/plugin';

const ERROR_CLASSES = new Set(['DosekitError', 'Error', 'TypeError', 'RangeError']);

function isErrorTextArgument(path) {
  if (path.listKey !== 'arguments' || typeof path.key !== 'number') return false;
  const parent = path.parentPath?.node;
  // requireArgument(condition, message, details): the condition stays.
  if (parent?.type === 'CallExpression' && parent.callee.type === 'Identifier' && parent.callee.name === 'requireArgument') return path.key >= 1;
  if (!parent || parent.type !== 'NewExpression' || parent.callee.type !== 'Identifier') return false;
  if (!ERROR_CLASSES.has(parent.callee.name)) return false;
  // DosekitError(code, message, details): the code stays; a built-in Error's only argument is its text.
  return parent.callee.name === 'DosekitError' ? path.key >= 1 : true;
}

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'error-text', {
    shouldIgnore(path) {
      return isErrorTextArgument(path) ? 'Error text and details: callers rely on the error code, which is still mutated.' : undefined;
    },
  }),
];
