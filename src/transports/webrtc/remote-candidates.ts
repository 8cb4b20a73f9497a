import type { IceCandidate } from '../../protocol.js';
import type { DebugLog } from '../transport.js';

/**
 * Adds trickled remote ICE candidates to a peer connection: holds them while a remote description
 * is being applied, and drops duplicates. werift already puts its candidates in the SDP, so the
 * same candidate trickled again makes Chromium throw InvalidStateError; that, or one bad candidate,
 * must not end the session, so failures are logged and ignored.
 */
export class RemoteCandidates {
  private ready = false;
  private readonly pending: (IceCandidate | null)[] = [];
  private readonly seen = new Set<string>();
  /** Counts remote descriptions: each ICE session has its own end of candidates. */
  private generation = 0;

  constructor(
    private readonly pc: RTCPeerConnection,
    private readonly log: DebugLog,
  ) {}

  add(candidate: IceCandidate | null): void {
    if (this.ready) void this.apply(candidate);
    else this.pending.push(candidate);
  }

  /** Call when a new remote description starts being applied: candidates of its ICE session wait for it. */
  hold(): void {
    this.ready = false;
    this.generation += 1;
  }

  /** Call once the remote description is set: queued candidates are applied in order. */
  remoteDescriptionSet(): void {
    this.ready = true;
    for (const candidate of this.pending.splice(0)) void this.apply(candidate);
  }

  private async apply(candidate: IceCandidate | null): Promise<void> {
    const key = candidate
      ? `${candidate.usernameFragment ?? ''}|${candidate.sdpMid ?? ''}|${candidate.sdpMLineIndex ?? ''}|${candidate.candidate}`
      : `end|${this.generation}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    try {
      await this.pc.addIceCandidate(candidate ?? { candidate: '' });
    } catch (error) {
      this.log(`remote candidate ignored (${error instanceof Error ? error.name : 'error'}): ${key}`);
    }
  }
}
