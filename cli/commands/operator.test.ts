// bso operator's flags for the endpoints DNS: refused before anything starts when they cannot
// work (exit 2, naming the flag), from the command line and from the environment; --help says
// when to use them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../main.js';
import { leaderElectionOf } from './operator.js';

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'bso', 'operator', ...args], { stdout: (l) => out.push(l), stderr: (l) => err.push(l), exitCode: 0 });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

test('--endpoints-dns with --backend swarm is refused: Swarm has Docker\'s DNS', async () => {
  const r = await run(['--backend', 'swarm', '--listen', '127.0.0.1:1', '--endpoints-dns', '127.0.0.1:5353']);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'bso operator: --endpoints-dns (BSO_ENDPOINTS_DNS) is for --backend kubernetes on clusters without cluster DNS; on Swarm, HAProxy asks Docker\'s DNS');
});

test('--endpoints-dns 0.0.0.0:PORT needs --endpoints-dns-address; so does BSO_ENDPOINTS_DNS', async (t) => {
  const r = await run(['--backend', 'kubernetes', '--listen', '127.0.0.1:1', '--endpoints-dns', '0.0.0.0:5353']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^bso operator: --endpoints-dns \(BSO_ENDPOINTS_DNS\) 0\.0\.0\.0:5353 listens on every address: --endpoints-dns-address \(BSO_ENDPOINTS_DNS_ADDRESS\) must say/);
  process.env.BSO_ENDPOINTS_DNS = '0.0.0.0:5353';
  t.after(() => { delete process.env.BSO_ENDPOINTS_DNS; delete process.env.BSO_ENDPOINTS_DNS_ADDRESS; });
  assert.equal((await run(['--backend', 'kubernetes', '--listen', '127.0.0.1:1'])).code, 2);
  process.env.BSO_ENDPOINTS_DNS_ADDRESS = 'bso-operator.bso-system.svc:5353';
  const named = await run(['--backend', 'kubernetes', '--listen', '127.0.0.1:1']);
  assert.equal(named.code, 2);
  assert.match(named.stderr, /--endpoints-dns-address \(BSO_ENDPOINTS_DNS_ADDRESS\) bso-operator\.bso-system\.svc:5353: must be the IPv4 host:port/);
});

test('--help teaches when to use the endpoints DNS', async () => {
  const r = await run(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /--endpoints-dns <host:port>/);
  assert.match(r.stdout, /--endpoints-dns-address <ip:port>/);
  assert.match(r.stdout, /Clusters without cluster DNS/);
});

test('leader election: on Kubernetes unless --no-leader-elect; on Swarm only with --leader-elect or BSO_LEADER_ELECT=1', async () => {
  assert.deepEqual([
    leaderElectionOf('kubernetes', undefined, undefined), leaderElectionOf('kubernetes', false, '1'),
    leaderElectionOf('swarm', undefined, undefined), leaderElectionOf('swarm', true, undefined), leaderElectionOf('swarm', undefined, '1'), leaderElectionOf('swarm', false, '1'),
  ], [{}, false, false, {}, {}, false]);
  const help = await run(['--help']);
  assert.match(help.stdout, /--leader-elect +Swarm: elect a leader/);
  assert.match(help.stdout, /bso-operator-lock \(no replicas/);
  assert.match(help.stdout, /--no-leader-elect/);
});
