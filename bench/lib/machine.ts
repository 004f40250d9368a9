// What the benchmark ran on, for the results' header: CPU, memory, kernel, cgroup version and the
// versions of Docker, HAProxy (in the image the peers run) and Node.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { HAPROXY_IMAGE } from './testbed.js';

export interface Machine {
  cpuModel: string; cores: number; memoryGiB: number; kernel: string; cgroup: string;
  docker: string; haproxy: string; node: string;
}

const run = (command: string, args: string[]) => new Promise<string>((resolve) => {
  execFile(command, args, { timeout: 30_000 }, (error, stdout, stderr) => resolve(error ? 'unknown' : `${stdout}${stderr}`.trim()));
});

export async function describeMachine(): Promise<Machine> {
  const list = cpus();
  const [dockerVersion, haproxyVersion] = await Promise.all([
    run('docker', ['version', '--format', '{{.Server.Version}}']),
    run('docker', ['run', '--rm', '--entrypoint', 'haproxy', HAPROXY_IMAGE, '-v']),
  ]);
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    cgroup: existsSync('/sys/fs/cgroup/cgroup.controllers') ? 'v2' : 'v1',
    docker: dockerVersion,
    haproxy: /version (\S+)/.exec(haproxyVersion)?.[1] ?? haproxyVersion.split('\n')[0] ?? 'unknown',
    node: process.version,
  };
}

export function renderMachineMarkdown(m: Machine): string {
  return [
    `| CPU | Cores | Memory | Kernel | cgroup | Docker | HAProxy | Node |`,
    `|---|---|---|---|---|---|---|---|`,
    `| ${m.cpuModel} | ${m.cores} | ${m.memoryGiB} GiB | ${m.kernel} | ${m.cgroup} | ${m.docker} | ${m.haproxy} | ${m.node} |`,
  ].join('\n');
}
