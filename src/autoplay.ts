/** Starting playback under the browsers' autoplay policies. */

/** 'muted-by-policy': sound was refused, so it plays muted and the page must offer an unmute button. */
export type AutoplayOutcome = 'playing' | 'muted-by-policy' | 'failed';

/**
 * Plays `video` with sound when allowed; when the browser refuses sound without a user gesture
 * (NotAllowedError) it plays muted instead. Never rejects.
 */
export async function startPlayback(video: HTMLVideoElement): Promise<{ outcome: AutoplayOutcome; error?: Error }> {
  try {
    await video.play();
    return { outcome: 'playing' };
  } catch (error) {
    if (!isNotAllowed(error) || video.muted) return { outcome: 'failed', error: asError(error) };
  }
  video.muted = true;
  try {
    await video.play();
    return { outcome: 'muted-by-policy' };
  } catch (error) {
    return { outcome: 'failed', error: asError(error) };
  }
}

function isNotAllowed(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'NotAllowedError';
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
