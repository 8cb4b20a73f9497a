/** Text helpers shared by the player's modules. */

const CLIP_LENGTH = 80;

/** Keeps untrusted text (an attribute, an HTTP answer) short enough to quote in an error message. */
export function clip(text: string): string {
  return text.length > CLIP_LENGTH ? `${text.slice(0, CLIP_LENGTH - 3)}...` : text;
}
