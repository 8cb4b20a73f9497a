/**
 * How far the picture is ahead of the sound, in ms (positive: video early, the face moves before the voice),
 * estimated from what the browser reports. Both estimates compare the media's own timestamps, so they cannot
 * see an offset baked into the media (audio and video misaligned at the source or at a splice) — only the
 * bench's flash/beep measurement sees that.
 */

export interface SyncSourceReading {
  /** Stream pts (s) of the presented video frame (MediaClock). */
  videoPts: number;
  /** When that frame is on screen: `performance.timeOrigin + metadata.expectedDisplayTime` (ms). */
  videoDisplayedAt: number;
  /** Stream pts (s) of the audio last played: `StreamTimeline.ptsOfAudioRtp(source.rtpTimestamp)`. */
  audioRtpPts: number;
  /** When it was played: the audio receiver's `getSynchronizationSources()[0].timestamp` (ms). */
  audioPlayedAt: number;
}

/**
 * WebRTC. `RTCRtpSynchronizationSource.timestamp` is the time the audio frame with that `rtpTimestamp` was
 * delivered to the track for playout, as `performance.timeOrigin + performance.now()` then (webrtc-pc; in
 * Chromium: libwebrtc's monotonic time converted with the document's wall-clock reference, truncated to
 * whole ms, the same base as `performance.timeOrigin + expectedDisplayTime`). Delivery is when the audio
 * mixer pulls a 10 ms frame for the output device, so the reading steps by ~10 ms (average several) and it
 * cannot see the output device's own latency (sound card buffer, Bluetooth: often 10–200 ms, which makes
 * the real video earlier than this says); `expectedDisplayTime` likewise stops at the compositor and misses
 * the display's latency. The two readings need not be simultaneous: both sides play at rate 1, so the audio
 * reading is projected to the video frame's pts.
 */
export function avOffsetFromSync(reading: SyncSourceReading): number {
  const audioPlaysVideoPtsAt = reading.audioPlayedAt + (reading.videoPts - reading.audioRtpPts) * 1000;
  return audioPlaysVideoPtsAt - reading.videoDisplayedAt;
}

export interface MediaTimeReading {
  /** The presented frame's `metadata.mediaTime` (s). */
  frameMediaTime: number;
  /** The element's `currentTime` (s) at the moment that frame is on screen: see `currentTimeAt`. */
  elementCurrentTimeAtDisplay: number;
}

/**
 * MSE (and HLS): audio and video share the element's timeline, and Chromium drives `currentTime` from the
 * audio renderer (corrected by the output delay the OS reports), so the difference between a frame's media
 * time and the playback position when it is shown is how early the picture is. It sees the renderer picking
 * frames (at most about a frame off) and audio underflows; it cannot see output latency the OS does not
 * report, nor the display's latency.
 */
export function avOffsetFromMediaTime(reading: MediaTimeReading): number {
  return (reading.frameMediaTime - reading.elementCurrentTimeAtDisplay) * 1000;
}

export interface CurrentTimeReading {
  /** `video.currentTime` (s). */
  currentTime: number;
  /** When it was read: `performance.now()` (ms). */
  readAt: number;
  playbackRate: number;
}

/** The element's playback position (s) at `time` (ms, `performance.now()` base, e.g. `expectedDisplayTime`), projected from one reading. */
export function currentTimeAt(time: number, reading: CurrentTimeReading): number {
  return reading.currentTime + ((time - reading.readAt) / 1000) * reading.playbackRate;
}
