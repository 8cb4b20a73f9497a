import { html, nothing } from 'lit';

/** The caption on screen, if any: a live region is not used, the sound already says it. */
export function captionsOverlay(text: string | null) {
  return text ? html`<div part="captions"><span part="caption">${text}</span></div>` : nothing;
}
