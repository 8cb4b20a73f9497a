import { executeServerCommand } from '@web/test-runner-commands';

/** Queues the demo's speaking clips (each with its caption sidecar) on the test servers; returns how many. */
export async function queueSpeakingClips(): Promise<number> {
  return (await executeServerCommand<number, undefined>('avatar-queue-speaking-clips')) ?? 0;
}
