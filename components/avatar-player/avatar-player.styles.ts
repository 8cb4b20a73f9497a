import { css } from 'lit';

export const styles = css`
  :host {
    display: grid;
    container-type: inline-size;
    position: relative;
    overflow: hidden;
    background: var(--avatar-player-background, #000);
  }

  :host([hidden]) {
    display: none;
  }

  /* The videos and the frozen frame share one grid cell: stacked, the front one on top. */
  video,
  canvas {
    grid-area: 1 / 1;
    display: block;
    width: 100%;
    height: 100%;
    object-fit: var(--avatar-player-object-fit, contain);
  }

  video[data-role='front'] {
    z-index: 1;
  }

  canvas {
    z-index: 2;
  }

  canvas[hidden] {
    display: none;
  }

  [part='unmute-button'] {
    z-index: 3;
    position: absolute;
    inset: auto auto 12px 12px;
    padding: 8px 14px;
    border: 0;
    border-radius: 999px;
    font: 600 14px/1 system-ui, sans-serif;
    color: #fff;
    background: rgb(0 0 0 / 0.6);
    cursor: pointer;
  }

  [part='captions'] {
    z-index: 3;
    position: absolute;
    inset: auto 8% var(--avatar-player-captions-bottom, 8%) 8%;
    text-align: center;
    pointer-events: none;
  }

  [part='caption'] {
    display: inline;
    padding: 0.1em 0.4em;
    font: 500 clamp(14px, 4.5cqw, 28px) / 1.35 system-ui, sans-serif;
    color: #fff;
    background: rgb(0 0 0 / 0.7);
    box-decoration-break: clone;
    -webkit-box-decoration-break: clone;
  }

  [part='stats'] {
    z-index: 4;
    position: absolute;
    inset: 8px auto auto 8px;
    display: grid;
    grid-template-columns: auto auto;
    gap: 1px 10px;
    margin: 0;
    padding: 6px 8px;
    font: 11px/1.3 ui-monospace, monospace;
    color: #fff;
    background: rgb(0 0 0 / 0.65);
    pointer-events: none;
  }

  [part='stats'] dd {
    margin: 0;
  }

  [part='unmute-button']:focus-visible {
    outline: 2px solid #fff;
    outline-offset: 2px;
  }
`;
