// Files the supervisor writes: atomically (temp file, fsync, rename), so HAProxy never reads a
// half-written config or state file. Every config file ends with a stamp naming its hash,
// which HAProxy shows as its description: `show info` then tells which config a worker runs.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export const STAMP_PREFIX = 'bso-config ';

export function stampConfig(text: string, hash: string): string {
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(hash)) throw new Error(`not a config hash: ${JSON.stringify(hash)}`);
  const body = text.endsWith('\n') ? text : `${text}\n`;
  return `${body}\n# Added by the bso supervisor: which config this is (shown by "show info" as Description).\nglobal\n    description "${STAMP_PREFIX}${hash}"\n`;
}

/** The hash a worker's `show info` answer names, if any. */
export function stampedHash(showInfo: string): string | undefined {
  const match = new RegExp(`^description: ${STAMP_PREFIX}(\\S+)\\s*$`, 'im').exec(showInfo);
  return match ? match[1] : undefined;
}

export function writeFileAtomic(path: string, content: string, mode = 0o600): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w', mode);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}

/** The first `<keyword> <path>` of the global section (server-state-file, stats socket...). */
export function globalSetting(text: string, keyword: string): string | undefined {
  const match = new RegExp(`^\\s+${keyword.replace(/ /g, '\\s+')}\\s+(\\S+)`, 'm').exec(text);
  return match ? match[1] : undefined;
}
