/** A real werift peer in the browser's place on the avatar protocol: answers the server's offer and records the RTP it gets. */
import { RTCPeerConnection } from 'werift';
import { MseClient } from './mse-client.js';
import { BROWSER_AUDIO_CODECS, BROWSER_VIDEO_CODECS } from './whep-offer.js';

export interface ReceivedRtp {
  kind: 'video' | 'audio';
  timestamp: number;
}

export interface WebRtcWatcher {
  /** The signaling socket, with every text message the server sent. */
  client: MseClient;
  rtp: ReceivedRtp[];
  close(): Promise<void>;
}

export async function watchOverWebRtc(wsUrl: string): Promise<WebRtcWatcher> {
  const client = await MseClient.connect(wsUrl, { type: 'hello', transport: 'webrtc' });
  await client.waitFor(() => client.texts('offer').length === 1, 'the offer');
  const pc = new RTCPeerConnection({ iceServers: [], codecs: { video: BROWSER_VIDEO_CODECS, audio: BROWSER_AUDIO_CODECS } });
  const rtp: ReceivedRtp[] = [];
  pc.onTrack.subscribe((track) => {
    track.onReceiveRtp.subscribe((packet) => rtp.push({ kind: track.kind === 'video' ? 'video' : 'audio', timestamp: packet.header.timestamp }));
  });
  await pc.setRemoteDescription({ type: 'offer', sdp: client.texts('offer')[0]!.sdp });
  await pc.setLocalDescription(await pc.createAnswer());
  client.send({ type: 'answer', sdp: pc.localDescription!.sdp });
  return {
    client,
    rtp,
    async close() {
      client.close();
      await pc.close();
    },
  };
}
