import { describe, expect, it } from 'vitest';
import { mapEvent } from '@backbone/ingest-gateway';
import { sampleSessions } from './simulator.js';

const facts = {
  tenantId: 'demo',
  source: 'simulator',
  receivedAt: Date.now(),
  ip: '8.8.8.8',
  gpc: false,
  dnt: false,
};
const limits = { maxFutureSkewMs: 60_000, maxStringLength: 65_536 };

describe('simulated traffic', () => {
  const sessions = sampleSessions(42, 400, 60);
  const events = sessions.flat();

  it('is the same for the same seed and differs for another', () => {
    expect(sampleSessions(42, 400, 60)).toEqual(sessions);
    expect(sampleSessions(43, 400, 60)).not.toEqual(sessions);
  });

  it('passes the gateway validation, every event of every kind', () => {
    const failures = events
      .map((e, i) =>
        mapEvent({ ...e.event, timestamp: new Date().toISOString() }, i, facts, limits),
      )
      .filter((m) => !m.ok);
    expect(failures).toEqual([]);
    const types = new Set(events.map((e) => e.event.event_type));
    expect([...types].sort()).toEqual([
      'click',
      'consent_decision',
      'consent_requested',
      'conversion',
      'page_view',
      'stt_error',
      'stt_language_detected',
      'stt_partial_transcript',
      'stt_quality_assessment',
      'stt_session_completed',
      'stt_session_started',
      'stt_speaker_changed',
      'stt_speaker_detected',
      'stt_transcription_completed',
      'stt_transcription_started',
    ]);
  });

  it('looks like a site: about 40 % bounces, some purchases, several countries and devices', () => {
    const web = sessions.slice(0, 400);
    const views = web.map((s) => s.filter((e) => e.event.event_type === 'page_view').length);
    const bounces = views.filter((n) => n === 1).length / web.length;
    expect(bounces).toBeGreaterThan(0.3);
    expect(bounces).toBeLessThan(0.55);
    expect(
      web.filter((s) => s.some((e) => e.event.event_type === 'conversion')).length,
    ).toBeGreaterThan(3);
    const nets = new Set(web.map((s) => s[0]?.ip.split('.').slice(0, 3).join('.')));
    expect(nets.size).toBeGreaterThan(10);
    const agents = new Set(web.map((s) => s[0]?.event.context?.user_agent));
    expect(agents.size).toBeGreaterThan(6);
  });

  it('has events per session close to what the rate control assumes', () => {
    const mean = (xs: TimedEventList[]) => xs.reduce((n, s) => n + s.length, 0) / xs.length;
    expect(mean(sessions.slice(0, 400))).toBeGreaterThan(4.6 * 0.8);
    expect(mean(sessions.slice(0, 400))).toBeLessThan(4.6 * 1.2);
    expect(mean(sessions.slice(400))).toBeGreaterThan(38 * 0.8);
    expect(mean(sessions.slice(400))).toBeLessThan(38 * 1.2);
  });

  it('puts personal data into some transcripts, for the masking to remove', () => {
    const texts = events
      .filter((e) => e.event.event_type === 'stt_transcription_completed')
      .map((e) => String(e.event.properties.text));
    expect(texts.some((t) => /@|\d{3}-\d{2}-\d{4}|4111/.test(t))).toBe(true);
  });
});

type TimedEventList = ReturnType<typeof sampleSessions>[number];
