import { describe, expect, it } from 'vitest';
import { STREAMS, streamOf, topicName, topicSpecs, valueSubject } from './catalog.js';

describe('stream catalog', () => {
  it('routes every event type of the plans to one stream', () => {
    expect(streamOf('page_view')).toBe('web');
    expect(streamOf('stt_partial_transcript')).toBe('stt.transcript');
    expect(streamOf('stt_speaker_changed')).toBe('stt.speaker');
    expect(streamOf('stt_quality_assessment')).toBe('stt.session');
    expect(streamOf('consent_decision')).toBe('consent');
    expect(streamOf('made_up')).toBeUndefined();
    const all = Object.values(STREAMS).flatMap((s) => Object.keys(s.eventTypes));
    expect(new Set(all).size).toBe(all.length);
    expect(all).toHaveLength(16);
  });

  it('names topics and subjects by kind, stream and version', () => {
    expect(topicName('raw', 'stt.transcript')).toBe('raw.stt.transcript.v1');
    expect(valueSubject('events', 'web')).toBe('events.web.v1-value');
  });

  it('keeps raw and dead-letter topics 7 days and the event store 2 years', () => {
    const specs = topicSpecs();
    expect(specs).toHaveLength(15);
    expect(specs.find((s) => s.topic === 'raw.web.v1')).toMatchObject({
      partitions: 6,
      config: { 'retention.ms': '604800000' },
    });
    expect(specs.find((s) => s.topic === 'events.web.v1')?.config['retention.ms']).toBe(
      String(730 * 86_400_000),
    );
    expect(specs.find((s) => s.topic === 'dlq.stt.session.v1')).toMatchObject({
      partitions: 3,
      config: { 'retention.ms': '604800000' },
    });
  });
});
