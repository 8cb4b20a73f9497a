/** A real browser-like WHEP offer made by werift as a recvonly client (created only: no ICE runs). */
import { RTCPeerConnection, RTCRtpCodecParameters } from 'werift';

const h264 = (payloadType: number, parameters: string) =>
  new RTCRtpCodecParameters({ mimeType: 'video/H264', clockRate: 90000, payloadType, rtcpFeedback: [{ type: 'nack', parameter: 'pli' }], parameters });

/** Chromium's order: VP8 first, then H.264 with packetization-mode 0 before 1. */
export const BROWSER_VIDEO_CODECS = [
  new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90000, payloadType: 96 }),
  h264(102, 'level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f'),
  h264(103, 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f'),
  h264(104, 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f'),
  h264(105, 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=640034'),
];

export const BROWSER_AUDIO_CODECS = [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2, payloadType: 111 })];

export async function recvonlyOffer(video = BROWSER_VIDEO_CODECS, kinds: ('video' | 'audio')[] = ['video', 'audio']): Promise<string> {
  const pc = new RTCPeerConnection({
    iceServers: [],
    codecs: { video, audio: BROWSER_AUDIO_CODECS },
  });
  for (const kind of kinds) pc.addTransceiver(kind, { direction: 'recvonly' });
  const offer = await pc.createOffer();
  await pc.close();
  return offer.sdp;
}

export const VP8_ONLY = BROWSER_VIDEO_CODECS.slice(0, 1);
