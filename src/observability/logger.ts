// The gateway's log: pino JSON lines on stdout (`LOG_FORMAT=pretty` for
// people at a terminal). Credentials are removed by the logger itself, by
// path, so that no line at any level can carry them, whoever writes it.

import { inspect } from 'node:util';
import type { YogaLogger } from 'graphql-yoga';
import { type DestinationStream, type Logger, pino } from 'pino';
import pretty from 'pino-pretty';
import type { LogFormat, LogLevel } from '../config.ts';
import { bufferedStdout } from './log-buffer.ts';

/** Paths whose values never reach a line: request headers that hold credentials, and upstream secrets. */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers.cookie',
  'details.headers.authorization',
  'details.headers.cookie',
  // One level of wildcard only: each level costs every line a walk of its object.
  '*.secret_key',
  '*.secretKey',
  'secret_key',
  'secretKey',
];

const censor = '[redacted]';

/**
 * The same log for lines whose every field the gateway makes itself (the
 * line of each GraphQL request): only the paths that name a field exactly.
 * A wildcard path makes pino run every field of every line through a
 * redaction pass (about 6 µs a line, most of the line's cost), and such a
 * line has no field it could match.
 */
export function ownFieldsLogger(logger: Logger): Logger {
  return logger.child({}, { redact: { paths: redactedPaths.filter((path) => !path.startsWith('*')), censor } });
}

export interface LoggerOptions {
  readonly level: LogLevel;
  readonly format: LogFormat;
  /** Where lines go; stdout, in batches, by default (see log-buffer.ts). */
  readonly destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const destination =
    options.destination ??
    (options.format === 'pretty'
      ? pretty({ colorize: process.stdout.isTTY, destination: 1, sync: true })
      : bufferedStdout());
  return pino(
    {
      level: options.level,
      redact: { paths: redactedPaths, censor },
      // Level names, not numbers; `time` stays pino's milliseconds since the epoch, which costs nothing to make.
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/** The same log, in the shape yoga asks of a logger. */
export function yogaLogger(logger: Logger): YogaLogger {
  const forward =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]) => {
      // Yoga logs at debug on every request: below the level, do no work at all.
      if (!logger.isLevelEnabled(level)) return;
      const [first, ...rest] = args;
      if (first instanceof Error) {
        logger[level]({ err: first }, rest.length > 0 ? rest.map(text).join(' ') : first.message);
        return;
      }
      // Objects stay objects, so that the redaction paths reach into them.
      const details = args.filter((arg) => typeof arg === 'object' && arg !== null && !(arg instanceof Error));
      const message = args
        .filter((arg) => !details.includes(arg))
        .map(text)
        .join(' ');
      if (details.length > 0) logger[level]({ details: details.length === 1 ? details[0] : details }, message);
      else logger[level](message);
    };
  return { debug: forward('debug'), info: forward('info'), warn: forward('warn'), error: forward('error') };
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : inspect(value, { depth: 2, breakLength: Number.POSITIVE_INFINITY });
}
