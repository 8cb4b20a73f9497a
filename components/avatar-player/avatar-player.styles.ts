import { css } from 'lit';

export const styles = css`
  :host {
    display: grid;
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

  [part='unmute-button']:focus-visible {
    outline: 2px solid #fff;
    outline-offset: 2px;
  }
`;
