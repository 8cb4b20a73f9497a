import { executeServerCommand } from '@web/test-runner-commands';

/** Drops every UDP packet in the test run's network namespace (WebRTC media and ICE checks; WebSockets go on). */
export async function blockUdp(): Promise<void> {
  await executeServerCommand('network-block-udp');
}

/** Lets UDP through again. */
export async function unblockUdp(): Promise<void> {
  await executeServerCommand('network-unblock-udp');
}
