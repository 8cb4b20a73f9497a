import { describe, expect, it } from 'vitest';
import { defaultConfig, parseConfig } from '../../../src/config.js';

describe('parseConfig', () => {
  it('gives the defaults for no attributes', () => {
    const { config, errors } = parseConfig({});
    expect(errors).toEqual([]);
    expect(config).toEqual(defaultConfig());
    expect(config.autoplay).toBe(true);
    expect(config.transports).toEqual(['webrtc', 'mse']);
  });

  it('reads every attribute', () => {
    const { config, errors } = parseConfig({
      src: 'wss://avatar.example.com/session',
      whep: 'https://whep.example.com/whep/stream',
      'mse-src': 'ws://127.0.0.1:9000/stream.mp4',
      transports: ' MSE, WebRTC ',
      'ice-servers': '[{"urls":"turn:10.0.0.1:3478?transport=tcp","username":"u","credential":"c"},{"urls":["stun:10.0.0.1"]}]',
      'ice-transport-policy': 'relay',
      latency: '150',
      muted: '',
      autoplay: 'false',
      token: 'secret',
      debug: '',
    });
    expect(errors).toEqual([]);
    expect(config).toEqual({
      src: 'wss://avatar.example.com/session',
      whep: 'https://whep.example.com/whep/stream',
      mseSrc: 'ws://127.0.0.1:9000/stream.mp4',
      transports: ['mse', 'webrtc'],
      iceServers: [
        { urls: 'turn:10.0.0.1:3478?transport=tcp', username: 'u', credential: 'c' },
        { urls: ['stun:10.0.0.1'] },
      ],
      iceTransportPolicy: 'relay',
      latencyMs: 150,
      muted: true,
      autoplay: false,
      token: 'secret',
      debug: true,
    });
  });

  it.each(['http://example.invalid/', 'https://example.com/ws', 'not a url', '', 'ws//missing-colon', 'javascript:alert(1)'])(
    'rejects src %j as a fatal invalid-attribute',
    (src) => {
      const { config, errors } = parseConfig({ src });
      expect(config.src).toBeNull();
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ code: 'invalid-attribute', attribute: 'src', fatal: true });
    },
  );

  it('reports a bad mse-src without giving up: the mse path can still use src', () => {
    const { config, errors } = parseConfig({ src: 'ws://127.0.0.1/ws', 'mse-src': 'http://127.0.0.1/stream.mp4' });
    expect(config.mseSrc).toBeNull();
    expect(config.src).toBe('ws://127.0.0.1/ws');
    expect(errors).toEqual([expect.objectContaining({ code: 'invalid-attribute', attribute: 'mse-src', fatal: false })]);
  });

  it('accepts ws: and wss: URLs', () => {
    expect(parseConfig({ src: 'ws://127.0.0.1:8080/ws' }).config.src).toBe('ws://127.0.0.1:8080/ws');
    expect(parseConfig({ src: 'wss://[::1]/ws?room=1' }).config.src).toBe('wss://[::1]/ws?room=1');
  });

  it('reports and drops unknown transports', () => {
    const { config, errors } = parseConfig({ transports: 'carrier-pigeon, webrtc,,smoke' });
    expect(config.transports).toEqual(['webrtc']);
    expect(errors).toEqual([
      expect.objectContaining({ code: 'invalid-attribute', attribute: 'transports', fatal: false }),
    ]);
    expect(errors[0]?.message).toContain('carrier-pigeon');
    expect(errors[0]?.message).toContain('smoke');
  });

  it('fails when no known transport is left', () => {
    const { config, errors } = parseConfig({ transports: 'hls,rtmp' });
    expect(config.transports).toEqual([]);
    expect(errors).toEqual([expect.objectContaining({ attribute: 'transports', fatal: true })]);
  });

  it.each([
    ['not json', '{'],
    ['an object', '{"urls":"stun:a"}'],
    ['a non-object entry', '["stun:a"]'],
    ['missing urls', '[{}]'],
    ['empty urls', '[{"urls":[]}]'],
    ['an http url', '[{"urls":"http://a"}]'],
    ['a bare scheme', '[{"urls":"turn:"}]'],
    ['a numeric credential', '[{"urls":"turn:a","credential":1}]'],
    ['too many servers', JSON.stringify(Array.from({ length: 17 }, () => ({ urls: 'stun:a' })))],
  ])('rejects ice-servers that is %s, keeping the default', (_, value) => {
    const { config, errors } = parseConfig({ 'ice-servers': value });
    expect(config.iceServers).toEqual([]);
    expect(errors).toEqual([expect.objectContaining({ code: 'invalid-attribute', attribute: 'ice-servers', fatal: false })]);
  });

  it('drops unknown RTCIceServer fields', () => {
    const { config } = parseConfig({ 'ice-servers': '[{"urls":"stun:a","__proto__":{"x":1},"extra":true}]' });
    expect(config.iceServers).toEqual([{ urls: 'stun:a' }]);
  });

  it.each(['0', '-5', '1.5', 'abc', '', '1e3', '60001', 'NaN'])('rejects latency %j', (latency) => {
    const { config, errors } = parseConfig({ latency });
    expect(config.latencyMs).toBeNull();
    expect(errors).toEqual([expect.objectContaining({ code: 'invalid-attribute', attribute: 'latency', fatal: false })]);
  });

  it('rejects an unknown ice-transport-policy', () => {
    const { config, errors } = parseConfig({ 'ice-transport-policy': 'none' });
    expect(config.iceTransportPolicy).toBe('all');
    expect(errors).toEqual([expect.objectContaining({ attribute: 'ice-transport-policy', fatal: false })]);
  });

  it('reads boolean attributes the HTML way, with "false" as an explicit no', () => {
    expect(parseConfig({ muted: '' }).config.muted).toBe(true);
    expect(parseConfig({ muted: 'muted' }).config.muted).toBe(true);
    expect(parseConfig({ muted: 'FALSE' }).config.muted).toBe(false);
    expect(parseConfig({ muted: null }).config.muted).toBe(false);
    expect(parseConfig({ autoplay: null }).config.autoplay).toBe(true);
    expect(parseConfig({ autoplay: '' }).config.autoplay).toBe(true);
  });

  it('rejects an oversized token and treats an empty one as none', () => {
    expect(parseConfig({ token: '' }).config.token).toBeNull();
    const { config, errors } = parseConfig({ token: 'x'.repeat(5000) });
    expect(config.token).toBeNull();
    expect(errors).toEqual([expect.objectContaining({ attribute: 'token' })]);
  });

  it('keeps error messages short whatever the attribute holds', () => {
    const { errors } = parseConfig({ src: 'x'.repeat(100_000) });
    expect(errors[0]?.message.length).toBeLessThan(200);
  });
});
