// The Docker client bso uses: DOCKER_HOST (unix:// or tcp://) or the default socket.
import Docker from 'dockerode';
import { BsoError } from '../../lib/errors.js';

const DEFAULT_SOCKET = '/var/run/docker.sock';

/** Where bso looks for Docker, as a user would write it: "DOCKER_HOST=tcp://..." or the default socket. */
export function dockerEndpoint(host = process.env.DOCKER_HOST): string {
  return host ? `DOCKER_HOST=${host}` : `the Docker socket ${DEFAULT_SOCKET} (DOCKER_HOST is not set)`;
}

export function connectDocker(host = process.env.DOCKER_HOST): Docker {
  if (!host) return new Docker({ socketPath: DEFAULT_SOCKET });
  if (host.startsWith('unix://') && host.length > 'unix://'.length) return new Docker({ socketPath: host.slice('unix://'.length) });
  const url = /^tcp:\/\/[^/]/.test(host) ? URL.parse(host.replace(/^tcp:/, 'http:')) : null;
  if (!url || !url.hostname || (url.pathname !== '/' && url.pathname !== '')) {
    throw new BsoError('BSO_USAGE', `${dockerEndpoint(host)}: not a Docker endpoint; write unix:///path/to/docker.sock or tcp://HOST:PORT (or unset DOCKER_HOST for ${DEFAULT_SOCKET})`);
  }
  return new Docker({ host: url.hostname, port: Number(url.port || 2375), protocol: 'http' });
}

/** The endpoint a client talks to, as DOCKER_HOST would name it (for messages): unix:///... or tcp://HOST:PORT. */
export function endpointOf(docker: Docker): string {
  const modem = (docker as unknown as { modem?: { socketPath?: string; host?: string; port?: number | string } }).modem ?? {};
  return modem.socketPath ? `unix://${modem.socketPath}` : `tcp://${modem.host}:${modem.port}`;
}

/**
 * A Docker error as bso says it: unreachable -> transient BSO_BACKEND_UNAVAILABLE naming the
 * endpoint and what to do; an answer that is a web page, not the Docker API -> the same, without
 * the page; anything else unchanged.
 */
export function describeDockerError(error: unknown, docker: Docker): unknown {
  const endpoint = endpointOf(docker);
  const hint = process.env.DOCKER_HOST ? 'check DOCKER_HOST' : 'is dockerd running? (npm run setup starts it here), or set DOCKER_HOST';
  if (isUnreachable(error)) {
    return new BsoError('BSO_BACKEND_UNAVAILABLE', `cannot reach Docker at ${endpoint}: ${(error as Error).message}; ${hint}`, { transient: true, cause: error });
  }
  const status = dockerStatus(error);
  const message = (error as Error).message ?? '';
  if (status !== undefined && /<(!doctype|html|head|body)\b/i.test(message)) {
    return new BsoError('BSO_BACKEND_UNAVAILABLE', `${endpoint} answered HTTP ${status} with a web page, not the Docker API; ${hint}`, { transient: true, cause: error });
  }
  return error;
}

/** The HTTP status of a Docker API error (404, 409, ...), or undefined for other errors. */
export function dockerStatus(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}

export function isUnreachable(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ECONNREFUSED' || code === 'ENOENT' || code === 'EACCES' || code === 'ECONNRESET' || code === 'ETIMEDOUT' || code === 'EPIPE';
}
