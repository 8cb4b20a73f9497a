import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config.js';
import { routesOf } from '../../../src/routes.js';

describe('the whep attribute', () => {
  it.each(['http://127.0.0.1:8080/whep', 'https://whep.example.com/whep/stream?token=x'])('accepts %s', (whep) => {
    const { config, errors } = parseConfig({ whep });
    expect(errors).toEqual([]);
    expect(config.whep).toBe(new URL(whep).href);
  });

  it.each(['ws://127.0.0.1/whep', 'not a url', '', 'javascript:alert(1)', 'file:///etc/passwd'])('rejects %j as a fatal invalid-attribute', (whep) => {
    const { config, errors } = parseConfig({ whep });
    expect(config.whep).toBeNull();
    expect(errors).toEqual([expect.objectContaining({ code: 'invalid-attribute', attribute: 'whep', fatal: true })]);
  });
});

describe('routesOf with whep', () => {
  it('webrtc uses the WHEP endpoint instead of src; mse keeps src', () => {
    const { config } = parseConfig({ src: 'ws://127.0.0.1:8080/ws', whep: 'http://127.0.0.1:8080/whep' });
    expect(routesOf(config)).toEqual([
      { kind: 'webrtc', url: 'http://127.0.0.1:8080/whep', protocol: 'whep' },
      { kind: 'mse', url: 'ws://127.0.0.1:8080/ws', protocol: 'avatar' },
    ]);
  });

  it('whep alone gives a webrtc route only', () => {
    const { config } = parseConfig({ whep: 'https://whep.example.com/whep' });
    expect(routesOf(config)).toEqual([{ kind: 'webrtc', url: 'https://whep.example.com/whep', protocol: 'whep' }]);
  });
});
