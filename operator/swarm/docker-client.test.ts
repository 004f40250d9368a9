// What bso says when DOCKER_HOST is not Docker: a web server's HTML page is not passed on, the
// endpoint is named, and what to do is said (real dockerode against a plain HTTP server).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import Docker from 'dockerode';
import { isBsoError } from '../../lib/errors.js';
import { connectDocker, describeDockerError, endpointOf } from './docker-client.js';
import { SwarmBackend } from './swarm-backend.js';

const web = createServer((_req, res) => { res.statusCode = 404; res.setHeader('content-type', 'text/html'); res.end('<!DOCTYPE html><html><head><title>Not Found</title></head><body><h1>nginx</h1></body></html>'); });
await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
const port = (web.address() as { port: number }).port;
after(() => web.close());

test('a DOCKER_HOST that answers with a web page: BSO_BACKEND_UNAVAILABLE naming the endpoint, no HTML', async () => {
  const docker = connectDocker(`tcp://127.0.0.1:${port}`);
  const error = await new SwarmBackend(docker).listSpecs().then(() => undefined, (e: unknown) => e);
  assert.ok(isBsoError(error), String(error));
  assert.equal(error.code, 'BSO_BACKEND_UNAVAILABLE');
  assert.match(error.message, new RegExp(`^tcp://127\\.0\\.0\\.1:${port} answered HTTP 404 with a web page, not the Docker API; `));
  assert.doesNotMatch(error.message, /<html|nginx/i);
});

test('endpointOf names a socket or a host and port as DOCKER_HOST would; other errors pass unchanged', () => {
  assert.equal(endpointOf(new Docker({ socketPath: '/var/run/docker.sock' })), 'unix:///var/run/docker.sock');
  assert.equal(endpointOf(connectDocker('tcp://10.0.0.1:2375')), 'tcp://10.0.0.1:2375');
  const conflict = Object.assign(new Error('(HTTP code 409) conflict - name in use'), { statusCode: 409 });
  assert.equal(describeDockerError(conflict, new Docker({ socketPath: '/x' })), conflict);
});

test('DOCKER_HOST values that are not endpoints are refused with what to write', () => {
  for (const bad of ['garbage', 'tcp://', 'unix://', 'http://host:2375/path']) {
    assert.throws(() => connectDocker(bad), (e: Error) => isBsoError(e) && e.code === 'BSO_USAGE' && e.message.startsWith(`DOCKER_HOST=${bad}: not a Docker endpoint; write unix:///path/to/docker.sock or tcp://HOST:PORT`), bad);
  }
});
