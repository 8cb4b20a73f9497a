/**
 * go2rtc's WebSocket API (`/api/ws?src=…`) streams MSE only once asked for it, with the codecs the
 * player can take; its text replies are metadata, which mse-src ignores.
 */

const CANDIDATE_CODECS = ['avc1.640029', 'avc1.64002A', 'avc1.640033', 'hvc1.1.6.L153.B0', 'mp4a.40.2', 'mp4a.40.5', 'flac', 'opus'];

/** The request to send on open, or undefined when `url` is not a go2rtc WebSocket API. */
export function go2rtcMseRequest(url: string): string | undefined {
  if (!new URL(url).pathname.endsWith('/api/ws') || typeof MediaSource === 'undefined') return undefined;
  const playable = CANDIDATE_CODECS.filter((codec) => {
    const kind = codec.startsWith('avc1') || codec.startsWith('hvc1') ? 'video' : 'audio';
    return MediaSource.isTypeSupported(`${kind}/mp4; codecs="${codec}"`);
  });
  return JSON.stringify({ type: 'mse', value: playable.join(',') });
}
