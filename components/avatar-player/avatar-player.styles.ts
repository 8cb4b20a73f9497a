import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
    position: relative;
    overflow: hidden;
    background: var(--avatar-player-background, #000);
  }

  :host([hidden]) {
    display: none;
  }

  video {
    display: block;
    width: 100%;
    height: 100%;
    object-fit: var(--avatar-player-object-fit, contain);
  }

  [part='unmute-button'] {
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
