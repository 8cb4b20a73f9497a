import { MediaStream, MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, type RTCRtpSender, type RtpPacket } from 'werift';
import type { ClockMessage, IceCandidate } from '../../../src/protocol.js';
import type { Playout } from '../../playout/playout.js';
import type { TimelineSample } from '../../playout/timeline.js';
import type { Logger } from '../../log.js';
import { ClockSampler } from '../clock-sampler.js';
import { framedNals, packetizeH264, splitAvcc } from './h264-packetizer.js';
import { iceCredentialsOf } from './ice-credentials.js';
import { DEFAULT_ICE_TIMING } from './ice-timing.js';
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
  /** No RTCP from the browser for this long means the path is gone (default 8 s). */
  silenceLimitMs?: number;
}

export interface WebRtcViewerEvents {
  onLocalCandidate(candidate: IceCandidate | null): void;
  /** Media flows (first time, and again after a loss). */
  onConnected(): void;
  /** The media path is gone (ICE/DTLS failed, or the browser stopped reporting): an ICE restart may bring it back. */
  onDisconnected(reason: string): void;
  /** A clock sample for the signaling channel: with the first media sent, then about once a second. */
  onClock?(message: ClockMessage): void;
}

/** Local ICE parameters and candidates, e.g. for a WHEP PATCH answer. */
export interface LocalIce {
  ufrag: string;
  pwd: string;
  candidates: string[];
}

const SILENCE_CHECK_MS = 1_000;

/**
 * One browser watching the playout over WebRTC, as the offerer (avatar protocol) or the answerer (WHEP).
 * The server is ICE-lite: it only answers the browser's connectivity checks and never contacts a STUN or
 * TURN server itself. Every viewer shares the playout's samples; only the RTP framing is per viewer.
 */
export class WebRtcViewer {
  private readonly pc: RTCPeerConnection;
  private readonly video: RtpTrack;
  private readonly audio: RtpTrack;
  private readonly reports: SenderReports[];
  private readonly clock: ClockSampler;
  private unsubscribe: (() => void) | undefined;
  private waitingForKeyframe = true;
  private negotiating: Promise<unknown> = Promise.resolve();
  private closed = false;
  private connected = false;
  private iceRestarting = false;
  private silent = false;
  private lastRtcpMs = 0;
  private silenceTimer: NodeJS.Timeout | undefined;
  private readonly silenceLimitMs: number;

  constructor(
    private readonly playout: Playout,
    options: WebRtcOutputOptions,
    private readonly events: WebRtcViewerEvents,
    private readonly log: Logger,
  ) {
    this.silenceLimitMs = options.silenceLimitMs ?? DEFAULT_ICE_TIMING.silenceLimitMs;
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
    this.clock = new ClockSampler((pts) => playout.wallClockOf(pts), { video: this.video, audio: this.audio });
    this.reports = [new SenderReports(videoSender, this.video, wallClockMs), new SenderReports(audioSender, this.audio, wallClockMs)];
    videoSender.onPictureLossIndication.subscribe(() => this.log.debug('PLI: the next keyframe is at most one GOP away'));
    for (const sender of [videoSender, audioSender]) sender.onRtcp.subscribe(() => this.onRtcp());
    this.pc.onIceCandidate.subscribe((candidate) => this.events.onLocalCandidate(candidate ? toIceCandidate(candidate.toJSON()) : null));
    this.watchConnection();
  }

  /** Avatar protocol: our offer; with `iceRestart`, a new one with fresh ICE credentials. */
  async createOffer(options: { iceRestart?: boolean } = {}): Promise<string> {
    if (options.iceRestart) this.beginIceRestart();
    await this.negotiate(async () => this.pc.setLocalDescription(await this.pc.createOffer(options)));
    return this.pc.localDescription!.sdp;
  }

  async acceptAnswer(sdp: string): Promise<void> {
    await this.negotiate(() => this.pc.setRemoteDescription({ type: 'answer', sdp }));
    this.resumeIce();
  }

  /** WHEP: the browser's offer (already checked with checkViewerOffer); our answer carries all our candidates. */
  async answerOffer(sdp: string): Promise<string> {
    await this.negotiate(async () => {
      await this.pc.setRemoteDescription({ type: 'offer', sdp });
      await this.pc.setLocalDescription(await this.pc.createAnswer());
    });
    this.resumeIce();
    return this.pc.localDescription!.sdp;
  }

  /**
   * WHEP ICE restart: the browser's offer again with its new ICE credentials; werift then restarts its
   * own ICE agent with fresh ones, which go back to the browser.
   */
  async restartIceAsAnswerer(remote: { ufrag: string; pwd: string }): Promise<LocalIce> {
    const previous = this.pc.remoteDescription?.sdp;
    if (!previous) throw new Error('no offer to restart');
    this.beginIceRestart();
    const offer = previous
      .replace(/^a=ice-ufrag:.*$/gm, `a=ice-ufrag:${remote.ufrag}`)
      .replace(/^a=ice-pwd:.*$/gm, `a=ice-pwd:${remote.pwd}`)
      .replace(/^a=(candidate:.*|end-of-candidates)\r?\n/gm, '');
    return this.localIceOf(await this.answerOffer(offer));
  }

  get localDescription(): string {
    return this.pc.localDescription?.sdp ?? '';
  }

  async addRemoteCandidate(candidate: IceCandidate | null): Promise<void> {
    await this.pc.addIceCandidate(candidate ?? undefined);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    clearInterval(this.silenceTimer);
    this.reports.forEach((report) => report.stop());
    // Closing while werift still binds its ICE sockets would leak the ones bound after the close.
    void this.negotiating
      .catch(() => undefined)
      .then(() => this.pc.close())
      .catch(() => undefined);
  }

  private async negotiate(step: () => Promise<unknown>): Promise<void> {
    const done = this.negotiating.catch(() => undefined).then(step);
    this.negotiating = done;
    await done;
  }

  /**
   * werift's peer connection skips ICE when DTLS is already up, so after an ICE restart its agent would
   * queue the browser's new checks forever: start the agent of each restarted transport ourselves.
   */
  private resumeIce(): void {
    if (!this.iceRestarting || !this.pc.dtlsTransports.some((dtls) => dtls.state === 'connected')) return;
    this.iceRestarting = false;
    for (const transport of this.pc.iceTransports) {
      if (transport.state === 'checking' || transport.state === 'connected') continue;
      transport.start().then(
        () => this.onMediaPath(),
        (error: unknown) => this.log.debug(`ICE agent after a restart: ${String(error)}`),
      );
    }
  }

  private localIceOf(sdp: string): LocalIce {
    const { ufrag = '', pwd = '' } = iceCredentialsOf(sdp);
    return {
      ufrag,
      pwd,
      candidates: [...new Set([...sdp.matchAll(/^a=(candidate:.*?)\r?$/gm)].map((match) => match[1]!))],
    };
  }

  private addSender(stream: MediaStream, kind: 'video' | 'audio'): RTCRtpSender {
    const track = new MediaStreamTrack({ kind });
    stream.addTrack(track);
    return this.pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] }).sender;
  }

  private watchConnection(): void {
    this.pc.connectionStateChange.subscribe((state) => {
      this.log.debug(`peer connection ${state}`);
      if (this.closed) return;
      if (state === 'connected') this.onMediaPath();
      if (state === 'failed' || state === 'disconnected') this.lose(`ICE or DTLS ${state}`);
    });
  }

  /** Media stops until the browser nominates a pair of the new ICE generation: that is news again. */
  private beginIceRestart(): void {
    this.iceRestarting = true;
    this.connected = false;
  }

  private onMediaPath(): void {
    if (this.closed) return;
    if (!this.unsubscribe) this.startMedia();
    this.lastRtcpMs = Date.now();
    this.iceRestarting = false;
    if (this.connected) return;
    this.connected = true;
    this.events.onConnected();
  }

  private onRtcp(): void {
    this.lastRtcpMs = Date.now();
    if (!this.silent) return;
    this.silent = false;
    if (!this.iceRestarting) this.onMediaPath();
  }

  private lose(reason: string): void {
    if (!this.connected) return;
    this.connected = false;
    this.events.onDisconnected(reason);
  }

  private startMedia(): void {
    this.reports.forEach((report) => report.start());
    this.unsubscribe = this.playout.subscribe((sample) => this.send(sample));
    // werift as ICE-lite never checks consent itself: the browser's RTCP is the sign of a live path.
    this.silenceTimer = setInterval(() => {
      if (this.silent || Date.now() - this.lastRtcpMs <= this.silenceLimitMs) return;
      this.silent = true;
      this.lose('no RTCP from the browser');
    }, Math.min(SILENCE_CHECK_MS, this.silenceLimitMs / 4));
  }

  /** A viewer starts on a keyframe; audio starts with it so both tracks begin together. */
  private send(sample: TimelineSample): void {
    if (sample.kind === 'video') {
      if (this.waitingForKeyframe && !sample.keyframe) return;
      this.waitingForKeyframe = false;
      this.sendClockIfDue(sample.pts);
      const { sps, pps } = sample.clip.video;
      try {
        this.video.send(packetizeH264(framedNals(splitAvcc(sample.data), sample.keyframe, sps, pps)), sample.pts, true);
      } catch (error) {
        this.log.warn(`skipping a malformed frame of ${sample.clip.name} until the next keyframe: ${String(error)}`);
        this.waitingForKeyframe = true;
      }
    } else if (!this.waitingForKeyframe) {
      this.sendClockIfDue(sample.pts);
      this.audio.send([sample.data], sample.pts, false);
    }
  }

  private sendClockIfDue(pts: number): void {
    const clock = this.clock.sampleFor(pts);
    if (clock) this.events.onClock?.(clock);
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
