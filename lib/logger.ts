// Structured logs with levels, the same shape in every bso program (operator, HAProxy
// supervisor, agent in each replica), built on pino. Every line has time, level, component and
// msg, plus the fields of its context (balancedservice, reconcile, ...). Two formats:
//   json  one JSON object a line, for log collectors: {"level":"info","time":"...","component":"operator","msg":"..."}
//   text  for people: 2026-12-07T11:00:00.000Z INFO  operator: hello: created service hello-api reconcile=12
// The default is text on a terminal, json elsewhere; BSO_LOG_FORMAT and BSO_LOG_LEVEL (or the
// operator's --log-format and --log-level) choose. Control characters in messages and fields are
// escaped in both formats (lib/printable-text.ts, the rule every printed issue follows).
import { pino, stdTimeFunctions, type Logger as PinoLogger } from 'pino';
import { asEscape, escapeUnprintable as escape, RAW_IN_JSON } from './printable-text.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
export type LogFields = Record<string, string | number | boolean | undefined>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger whose lines all carry `fields` too. */
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  component: string;
  level?: LogLevel;
  format?: LogFormat;
  /** Where lines go (default: standard output, written synchronously). */
  write?: (line: string) => void;
}

/** The log settings of the environment: BSO_LOG_LEVEL, BSO_LOG_FORMAT; a problem names the variable. */
export function logSettingsFrom(env: Record<string, string | undefined>, isTTY: boolean): { level: LogLevel; format: LogFormat } | { problem: string } {
  const level = env.BSO_LOG_LEVEL || 'info';
  const format = env.BSO_LOG_FORMAT || (isTTY ? 'text' : 'json');
  if (!(LOG_LEVELS as readonly string[]).includes(level)) return { problem: `BSO_LOG_LEVEL=${level}: must be one of ${LOG_LEVELS.join(', ')}` };
  if (!(LOG_FORMATS as readonly string[]).includes(format)) return { problem: `BSO_LOG_FORMAT=${format}: must be one of ${LOG_FORMATS.join(', ')}` };
  return { level: level as LogLevel, format: format as LogFormat };
}


const CORE = new Set(['level', 'time', 'component', 'msg']);

/** One JSON line as a person reads it: time, LEVEL, component: message, then key=value fields. */
export function textLine(json: string): string {
  const record = JSON.parse(json) as Record<string, unknown>;
  const fields = Object.entries(record)
    .filter(([key, value]) => !CORE.has(key) && value !== undefined)
    .map(([key, value]) => `${escape(key)}=${escape(typeof value === 'string' && !/\s/.test(value) ? value : JSON.stringify(value))}`);
  const level = String(record.level ?? 'info').toUpperCase().padEnd(5);
  return `${String(record.time ?? '')} ${level} ${escape(String(record.component ?? ''))}: ${escape(String(record.msg ?? ''))}${fields.length ? ` ${fields.join(' ')}` : ''}\n`;
}

export function createLogger(options: LoggerOptions): Logger {
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  const format = options.format ?? 'json';
  const destination = { write: (json: string) => write(format === 'text' ? textLine(json) : json.replace(RAW_IN_JSON, asEscape)) };
  const base = pino({
    level: options.level ?? 'info',
    base: { component: options.component },
    timestamp: stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  }, destination);
  return wrap(base);
}

function wrap(logger: PinoLogger): Logger {
  const at = (level: LogLevel) => (msg: string, fields?: LogFields) => (fields ? logger[level](fields, msg) : logger[level](msg));
  return {
    debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'),
    child: (fields) => wrap(logger.child(fields)),
  };
}

/** A logger that drops everything (tests, and programs started with logging off). */
export const SILENT: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => SILENT };
