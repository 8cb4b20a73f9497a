import { PlayerError } from '../../events.js';
import type { WebRtcSignaling } from './webrtc-signaling.js';

/** A signaling whose code loads when the transport first uses it (WHEP stays out of the element's bundle). */
export function lazySignaling(load: () => Promise<WebRtcSignaling>): WebRtcSignaling {
  let loading: Promise<WebRtcSignaling> | undefined;
  let loaded: WebRtcSignaling | undefined;
  let closed = false;
  const real = async (): Promise<WebRtcSignaling> => {
    loading ??= load().catch((error: unknown) => {
      throw new PlayerError('webrtc-failed', `the signaling failed to load: ${String(error)}`, 'failed');
    });
    loaded = await loading;
    if (closed) {
      loaded.close();
      throw new PlayerError('webrtc-failed', 'closed before the signaling started', 'failed');
    }
    return loaded;
  };
  return {
    negotiate: async (pc, log) => (await real()).negotiate(pc, log),
    restartIce: async (timeoutMs) => (await real()).restartIce(timeoutMs),
    close: () => {
      closed = true;
      loaded?.close();
    },
  };
}
