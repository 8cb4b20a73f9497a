export { writeInitSegment } from './init-segment.js';
export { writeMediaSegment, type TrackRun } from './media-segment.js';
export { avc1SampleEntry, opusSampleEntry } from './sample-entries.js';
export { Fmp4WriterError, type Fmp4WriterErrorCode } from './fmp4-writer-error.js';
