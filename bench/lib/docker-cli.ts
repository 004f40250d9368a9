// The docker CLI as a promise (the benchmark needs a handful of commands; the CLI keeps them
// readable and is what a person would type to reproduce a step).
import { execFile } from 'node:child_process';

export function docker(args: string[], timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('docker', args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`docker ${args.join(' ')}: ${stderr.trim() || error.message}`));
      else resolve(stdout.trim());
    });
  });
}

/** Removes the containers and networks whose names start with prefix (leftovers of a killed run). */
export async function removeByPrefix(prefix: string): Promise<void> {
  const containers = (await docker(['ps', '-aq', '--filter', `name=^${prefix}`])).split('\n').filter(Boolean);
  if (containers.length > 0) await docker(['rm', '-f', '-v', ...containers]);
  const networks = (await docker(['network', 'ls', '-q', '--filter', `name=^${prefix}`])).split('\n').filter(Boolean);
  if (networks.length > 0) await docker(['network', 'rm', ...networks]);
}

export async function containerIp(name: string, network: string): Promise<string> {
  const ip = await docker(['inspect', '-f', `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`, name]);
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip)) throw new Error(`container ${name} has no address on ${network} (${ip})`);
  return ip;
}
