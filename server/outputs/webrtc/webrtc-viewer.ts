import { MediaStream, MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, type RTCRtpSender, type RtpPacket } from 'werift';
import type { IceCandidate } from '../../../src/protocol.js';
import type { Playout } from '../../playout/playout.js';
import type { TimelineSample } from '../../playout/timeline.js';
import type { Logger } from '../../log.js';
import { framedNals, packetizeH264, splitAvcc } from './h264-packetizer.js';
import { RtpTrack } from './rtp-track.js';
import { SenderReports } from './sender-reports.js';
import { wallClockMs } from '../../playout/playout.js';

export interface WebRtcOutputOptions {
  /** Extra host addresses to announce, e.g. the public address of a server behind 1:1 NAT. */
  announcedAddresses?: string[];
  /** Only gather on these local addresses (all non-internal IPv4 interfaces when empty). */
  interfaceAddress?: string;
  /** RFC 6381 profile-level-id the offer advertises, e.g. "42e01f". */
  profileLevelId: string;
}

export interface WebRtcViewerEvents {
  onLocalCandidate(candidate: IceCandidate | null): void;
  onFailed(reason: string): void;
  onConnected(): void;
}

/**
 * One browser watching the playout over WebRTC. The server is the offerer and ICE-lite: it only
 * answers the browser's connectivity checks and never contacts a STUN or TURN server itself.
 * Every viewer shares the playout's samples; only the RTP framing is per viewer.
 */
export class WebRtcViewer {
  private readonly pc: RTCPeerConnection;
  private readonly video: RtpTrack;
  private readonly audio: RtpTrack;
  private readonly reports: SenderReports[];
  private unsubscribe: (() => void) | undefined;
  private waitingForKeyframe = true;
  private offering: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly playout: Playout,
    options: WebRtcOutputOptions,
    private readonly events: WebRtcViewerEvents,
    private readonly log: Logger,
  ) {
    this.pc = new RTCPeerConnection({
      iceLite: true,
      iceServers: [],
      iceUseIpv6: false,
      bundlePolicy: 'max-bundle',
      iceAdditionalHostAddresses: options.announcedAddresses,
      iceInterfaceAddresses: options.interfaceAddress ? { udp4: options.interfaceAddress } : undefined,
      codecs: {
        video: [
          new RTCRtpCodecParameters({
            mimeType: 'video/H264',
            clockRate: 90000,
            rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
            parameters: `level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=${options.profileLevelId}`,
          }),
        ],
        audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2 })],
      },
    });
    // One MediaStream for both tracks: Chromium only lip-syncs tracks that share a stream id (msid).
    const stream = new MediaStream();
    const videoSender = this.addSender(stream, 'video');
    const audioSender = this.addSender(stream, 'audio');
    this.video = new RtpTrack(sendVia(videoSender), 90000, playout.epochMs);
    this.audio = new RtpTrack(sendVia(audioSender), 48000, playout.epochMs);
    this.reports = [new SenderReports(videoSender, this.video, wallClockMs), new SenderReports(audioSender, this.audio, wallClockMs)];
    videoSender.onPictureLossIndication.subscribe(() => this.log.debug('PLI: the next keyframe is at most one GOP away'));
    this.watchConnection();
  }

  async createOffer(): Promise<string> {
    this.pc.onIceCandidate.subscribe((candidate) => this.events.onLocalCandidate(candidate ? toIceCandidate(candidate.toJSON()) : null));
    this.offering = this.pc.createOffer().then((offer) => this.pc.setLocalDescription(offer));
    await this.offering;
    return this.pc.localDescription!.sdp;
  }

  async acceptAnswer(sdp: string): Promise<void> {
    await this.pc.setRemoteDescription({ type: 'answer', sdp });
  }

  async addRemoteCandidate(candidate: IceCandidate | null): Promise<void> {
    await this.pc.addIceCandidate(candidate ?? undefined);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    this.reports.forEach((report) => report.stop());
    // Closing while werift still binds its ICE sockets would leak the ones bound after the close.
    void this.offering
      .catch(() => undefined)
      .then(() => this.pc.close())
      .catch(() => undefined);
  }

  private addSender(stream: MediaStream, kind: 'video' | 'audio'): RTCRtpSender {
    const track = new MediaStreamTrack({ kind });
    stream.addTrack(track);
    return this.pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] }).sender;
  }

  private watchConnection(): void {
    this.pc.connectionStateChange.subscribe((state) => {
      this.log.debug(`peer connection ${state}`);
      if (state === 'connected' && !this.unsubscribe && !this.closed) this.startMedia();
      if (state === 'failed') this.events.onFailed('ICE or DTLS failed');
    });
  }

  private startMedia(): void {
    this.reports.forEach((report) => report.start());
    this.unsubscribe = this.playout.subscribe((sample) => this.send(sample));
    this.events.onConnected();
  }

  /** A viewer starts on a keyframe; audio starts with it so both tracks begin together. */
  private send(sample: TimelineSample): void {
    if (sample.kind === 'video') {
      if (this.waitingForKeyframe && !sample.keyframe) return;
      this.waitingForKeyframe = false;
      const { sps, pps } = sample.clip.video;
      try {
        this.video.send(packetizeH264(framedNals(splitAvcc(sample.data), sample.keyframe, sps, pps)), sample.pts, true);
      } catch (error) {
        this.log.warn(`skipping a malformed frame of ${sample.clip.name} until the next keyframe: ${String(error)}`);
        this.waitingForKeyframe = true;
      }
    } else if (!this.waitingForKeyframe) {
      this.audio.send([sample.data], sample.pts, false);
    }
  }
}

function sendVia(sender: RTCRtpSender): (packet: RtpPacket) => void {
  return (packet) => void sender.sendRtp(packet).catch(() => undefined);
}

/** werift leaves out the `candidate:` prefix that browsers require on the candidate line. */
function toIceCandidate(init: { candidate?: string; sdpMid?: string | null; sdpMLineIndex?: number | null }): IceCandidate {
  const line = init.candidate ?? '';
  return {
    candidate: line === '' || line.startsWith('candidate:') ? line : `candidate:${line}`,
    sdpMid: init.sdpMid ?? null,
    sdpMLineIndex: init.sdpMLineIndex ?? null,
  };
}
