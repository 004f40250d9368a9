// Makes a local TCP port unreachable the way a dead listener is (the kernel answers SYN with a
// reset) or a hung one (SYNs dropped), with an iptables rule on the loopback interface. Rules carry
// a comment naming this process, so the test removes exactly what it added. Needs root.
import { execFileSync } from 'node:child_process';

export type PortBlock = 'reset' | 'drop';

function ruleFor(port: number, mode: PortBlock): string[] {
  const target = mode === 'reset' ? ['-j', 'REJECT', '--reject-with', 'tcp-reset'] : ['-j', 'DROP'];
  return ['INPUT', '-i', 'lo', '-p', 'tcp', '--dport', String(port), '-m', 'comment', '--comment', `bsofdp-${process.pid}`, ...target];
}

export function blockPort(port: number, mode: PortBlock): () => void {
  execFileSync('iptables', ['-I', ...ruleFor(port, mode)]);
  let removed = false;
  return () => {
    if (removed) return;
    removed = true;
    execFileSync('iptables', ['-D', ...ruleFor(port, mode)]);
  };
}

/** Why the test cannot block ports here, or undefined when it can. */
export function cannotBlockPorts(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root for iptables';
  try {
    execFileSync('iptables', ['-S', 'INPUT'], { stdio: 'ignore' });
    return undefined;
  } catch (error) {
    return `iptables does not work here: ${(error as Error).message}`;
  }
}
