import { BoxWriter } from './box-writer.js';

const DATA_REFERENCE_INDEX = 1;
const OPUS_RATE = 48000;

/**
 * An avc1 VisualSampleEntry (ISO 14496-12 §12.1.3, 14496-15 §5.4.2) wrapping the given
 * AVCDecoderConfigurationRecord (the avcC box payload).
 */
export function avc1SampleEntry(width: number, height: number, avcC: Uint8Array): Uint8Array {
  return new BoxWriter()
    .box('avc1', (w) => {
      w.zeros(6).u16(DATA_REFERENCE_INDEX);
      w.u16(0).u16(0).zeros(12); // pre_defined, reserved, pre_defined[3]
      w.u16(width).u16(height);
      w.u32(0x00480000).u32(0x00480000); // 72 dpi
      w.u32(0).u16(1); // reserved, frame_count
      w.zeros(32); // compressorname
      w.u16(0x0018).u16(0xffff); // depth, pre_defined = -1
      w.box('avcC', (c) => c.raw(avcC));
    })
    .finish();
}

/** An 'Opus' AudioSampleEntry with its dOps box (Opus in ISOBMFF, §4.3.1–4.3.2). */
export function opusSampleEntry(channels: number, preSkip: number, inputSampleRate = OPUS_RATE): Uint8Array {
  return new BoxWriter()
    .box('Opus', (w) => {
      w.zeros(6).u16(DATA_REFERENCE_INDEX);
      w.zeros(8); // reserved
      w.u16(channels).u16(16); // channelcount, samplesize
      w.u16(0).u16(0); // pre_defined, reserved
      w.u32(OPUS_RATE * 0x10000); // samplerate 16.16
      w.box('dOps', (d) => {
        d.u8(0).u8(channels).u16(preSkip).u32(inputSampleRate);
        d.u16(0).u8(0); // OutputGain, ChannelMappingFamily 0 (mono or stereo)
      });
    })
    .finish();
}
