// One clock for every path: cues fire on their frames, captions show and hide, stats carry sane figures —
// over WebRTC and over MSE, against the reference server playing the demo's speaking clips (with captions).
import '../../components/avatar-player/avatar-player.js';
import type { AvatarPlayer } from '../../components/avatar-player/avatar-player.js';
import type { CueDetail, PlayerEventDetails } from '../../src/events.js';
import type { PlayerStats } from '../../src/player-stats.js';
import { queueSpeakingClips } from './clips.js';
import { testServer } from './env.js';
import { assert, collectEvents, forgetRememberedPaths, mount, nextEvent, unmountAll } from './helpers.js';

/** One frame at 25 fps, and a little for the renderer picking the frame after. */
const FRAME_S = 0.04;
const SLACK_S = 0.005;

interface Fired {
  type: 'speechstart' | 'speechend' | 'caption' | 'cue';
  detail: PlayerEventDetails['speechstart' | 'speechend' | 'caption' | 'cue'];
  /** The stream time of the frame on screen when the event fired. */
  positionS: number | null;
  captionInDom: string | null;
}

function captionInDom(player: AvatarPlayer): string | null {
  return player.shadowRoot?.querySelector('[part="caption"]')?.textContent ?? null;
}

/** Every timed event, with where the screen was when it fired (and, a moment later, what the overlay shows). */
function recordTimedEvents(player: AvatarPlayer): Fired[] {
  const fired: Fired[] = [];
  for (const type of ['speechstart', 'speechend', 'caption', 'cue'] as const) {
    player.addEventListener(type, (event: Event) => {
      const entry: Fired = { type, detail: (event as CustomEvent).detail, positionS: player.getStats().positionS, captionInDom: null };
      fired.push(entry);
      void player.updateComplete.then(() => (entry.captionInDom = captionInDom(player)));
    });
  }
  return fired;
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const transport of ['webrtc', 'mse'] as const) {
  describe(`timeline over ${transport}`, () => {
    afterEach(async () => {
      unmountAll();
      await forgetRememberedPaths();
    });

    it('fires speech and caption cues in order, each on the frame with its pts; clips back to back are one utterance', async function () {
      this.timeout(40_000);
      const { wsUrl } = await testServer();
      const player = mount({ src: wsUrl, transports: transport, captions: '' });
      const fired = recordTimedEvents(player);
      await nextEvent(player, 'firstframe', 10_000);
      const clips = await queueSpeakingClips();
      assert(clips >= 2, `${clips} clips queued`);
      await nextEvent(player, 'speechend', 30_000);
      await wait(300);

      const speech = fired.filter((f) => f.type === 'speechstart' || f.type === 'speechend');
      assert(speech.map((f) => f.type).join() === 'speechstart,speechend', `speech events: ${speech.map((f) => f.type).join(', ')}`);
      const [start, end] = speech.map((f) => (f.detail as PlayerEventDetails['speechstart']).pts);
      assert(end! - start! > clips * 1.5, `${clips} clips back to back speak ${end! - start!} s`);
      const cues = fired.filter((f) => f.type === 'cue').map((f) => f.detail as CueDetail);
      assert(cues.some((cue) => cue.kind === 'caption'), `caption cues: ${JSON.stringify(cues.map((cue) => cue.kind))}`);
      assert(new Set(cues.map((cue) => cue.id)).size === cues.length, 'every cue fires once');

      const onTime = fired.filter((f) => f.type === 'cue' && !(f.detail as CueDetail).late);
      assert(onTime.length >= 3, `${onTime.length} cues on time`);
      for (const { detail, positionS } of onTime) {
        const cue = detail as CueDetail;
        assert(positionS !== null, `the frame on screen has a stream time when ${cue.id} fires`);
        const early = positionS - cue.pts;
        assert(early >= -0.001 && early < FRAME_S + SLACK_S, `${cue.kind} ${cue.id} at pts ${cue.pts} fired with ${positionS} on screen`);
      }
      for (let i = 1; i < onTime.length; i++) {
        assert((onTime[i]!.detail as CueDetail).pts >= (onTime[i - 1]!.detail as CueDetail).pts, 'cues fire in pts order');
      }

      const shown = fired.filter((f) => f.type === 'caption' && (f.detail as PlayerEventDetails['caption']).text !== null);
      assert(shown.length > 0 && shown.every((f) => f.captionInDom === (f.detail as PlayerEventDetails['caption']).text), 'the overlay shows each caption');
      const cleared = fired.filter((f) => f.type === 'caption' && (f.detail as PlayerEventDetails['caption']).text === null);
      assert(cleared.length > 0 && cleared.every((f) => f.captionInDom === null), 'the overlay is empty when the caption ends');
    });

    it('sends stats about once a second with sane figures, and shows them with the stats attribute', async function () {
      this.timeout(30_000);
      const { wsUrl } = await testServer();
      const player = mount({ src: wsUrl, transports: transport, stats: '' });
      await nextEvent(player, 'firstframe', 10_000);
      const events = collectEvents(player, 'stats');
      await wait(4_500);
      assert(events.length >= 3 && events.length <= 6, `${events.length} stats events in 4.5 s`);
      const last: PlayerStats = events.at(-1)!;
      assert(last.transport === transport && last.state === 'playing', `${last.transport} ${last.state}`);
      assert(last.latencyMs !== null && last.latencyMs > 0 && last.latencyMs < 1_000, `latency ${last.latencyMs} ms`);
      assert(last.clockOffsetMs !== null && Math.abs(last.clockOffsetMs) < 50, `clock offset ${last.clockOffsetMs} ms on one machine`);
      assert(last.framesPerSecond !== null && last.framesPerSecond > 15 && last.framesPerSecond < 40, `${last.framesPerSecond} fps`);
      assert(last.bitrateKbps !== null && last.bitrateKbps > 10, `${last.bitrateKbps} kbit/s`);
      assert(last.avOffsetMs !== null && Math.abs(last.avOffsetMs) < 200, `A/V offset ${last.avOffsetMs} ms`);
      assert(last.droppedFrames !== null && last.droppedFrames >= 0, `dropped ${last.droppedFrames}`);
      const positions = events.map((stats) => stats.positionS ?? -1);
      assert(positions.every((p, i) => i === 0 || p > positions[i - 1]!), `the position moves on: ${positions.join(', ')}`);
      if (transport === 'webrtc') assert(last.packetLoss !== null && last.packetLoss >= 0 && last.packetLoss <= 1, `loss ${last.packetLoss}`);
      else assert(last.packetLoss === null, 'no packet loss over TCP');
      const overlay = player.shadowRoot?.querySelector('[part="stats"]')?.textContent ?? '';
      assert(overlay.includes('latency') && overlay.includes(transport), `overlay: ${overlay}`);
      player.removeAttribute('stats');
      await player.updateComplete;
      assert(!player.shadowRoot?.querySelector('[part="stats"]'), 'no overlay without the stats attribute');
    });
  });
}

describe('captions attribute', () => {
  afterEach(unmountAll);

  it('shows no caption overlay without it, though caption events still fire', async function () {
    this.timeout(40_000);
    const { wsUrl } = await testServer();
    const player = mount({ src: wsUrl, transports: 'mse' });
    await nextEvent(player, 'firstframe', 10_000);
    await queueSpeakingClips();
    const caption = await nextEvent(player, 'caption', 30_000);
    await player.updateComplete;
    assert(caption.text !== null && captionInDom(player) === null, `caption ${caption.text} not shown`);
    player.setAttribute('captions', '');
    let next = await nextEvent(player, 'caption', 30_000);
    while (next.text === null) next = await nextEvent(player, 'caption', 30_000);
    await player.updateComplete;
    assert(captionInDom(player) === next.text, `the overlay shows "${next.text}" with the attribute: ${captionInDom(player)}`);
  });
});
