// The identity of a rendered config: a SHA-256 of its bytes. The operator serves it as the
// ETag, the supervisor reports the one it applied, status.configHash shows it.
import { createHash } from 'node:crypto';

export function hashConfigText(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
