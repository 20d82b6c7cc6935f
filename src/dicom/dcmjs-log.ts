// SPDX-License-Identifier: BSD-3-Clause
import dcmjs from 'dcmjs';
import type { DosekitWarning } from '../warnings.js';

type LogMethod = (...message: unknown[]) => void;
interface LoglevelLogger {
  methodFactory: (methodName: string, level: number, loggerName: string | symbol) => LogMethod;
  getLevel(): number;
  setLevel(level: number, persist?: boolean): void;
  getLogger(name: string): LoglevelLogger;
}

const DCMJS_LOGGER_NAMES = ['validation.dcmjs', 'AsyncDicomReader'];
let activeCollector: DosekitWarning[] | null = null;
let activeFile: string | undefined;
let installed = false;

function redirect(logger: LoglevelLogger): void {
  logger.methodFactory = (methodName) => (...message: unknown[]) => {
    if (methodName === 'debug' || methodName === 'trace') return;
    const text = message.map((part) => (typeof part === 'string' ? part : String(part))).join(' ');
    activeCollector?.push({ code: 'W_DCMJS', message: `dcmjs ${methodName}: ${text}`, file: activeFile });
  };
  // loglevel applies a new methodFactory when the level is (re)set.
  logger.setLevel(logger.getLevel(), false);
}

/**
 * dcmjs writes validation messages straight to the console (e.g. "Invalid vr type ox - using OW").
 * Route them into the warnings of the file being read instead, so library users and `--json`
 * output never see them on stdout. Installed lazily on first read: no import-time side effects.
 */
function installOnce(): void {
  if (installed) return;
  installed = true;
  const root = (dcmjs as unknown as { log: LoglevelLogger }).log;
  redirect(root);
  for (const name of DCMJS_LOGGER_NAMES) redirect(root.getLogger(name));
}

/** Runs `work` while collecting dcmjs log output as warnings about `file`. */
export function withDcmjsWarnings<T>(file: string | undefined, warnings: DosekitWarning[], work: () => T): T {
  installOnce();
  const previousCollector = activeCollector;
  const previousFile = activeFile;
  activeCollector = warnings;
  activeFile = file;
  try {
    return work();
  } finally {
    activeCollector = previousCollector;
    activeFile = previousFile;
  }
}
