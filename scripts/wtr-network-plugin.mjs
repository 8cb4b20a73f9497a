// A web-test-runner plugin that lets browser tests cut the run's UDP traffic and restore it (server
// commands `network-block-udp` and `network-unblock-udp`, see test/browser/network.ts), to break a
// WebRTC session the way a firewall would. It only ever touches the private network namespace of
// scripts/netns-run.sh, never the machine's own firewall, and restores it when the run ends.
import { execFileSync } from 'node:child_process';

const CHAIN = 'AVATAR_TEST_BLOCK';

export function networkPlugin() {
  let chainCreated = false;

  const iptables = (...args) => execFileSync('iptables', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ensureChain = () => {
    if (chainCreated) return;
    if (!process.env.AVATAR_TEST_IP) throw new Error('network commands only run inside scripts/netns-run.sh');
    iptables('-N', CHAIN);
    iptables('-I', 'INPUT', '-j', CHAIN);
    chainCreated = true;
  };
  const unblock = () => {
    if (chainCreated) iptables('-F', CHAIN);
  };

  process.once('exit', () => {
    try {
      unblock();
    } catch {
      // the namespace dies with the run anyway
    }
  });

  return {
    name: 'avatar-network',

    executeCommand({ command }) {
      if (command === 'network-block-udp') {
        ensureChain();
        unblock();
        iptables('-A', CHAIN, '-p', 'udp', '-j', 'DROP');
        return true;
      }
      if (command === 'network-unblock-udp') {
        unblock();
        return true;
      }
      return undefined;
    },
  };
}
