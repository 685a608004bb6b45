import { describe, expect, it } from 'vitest';
import { envelope, pageView, segment } from './samples.test-support.js';
import { validateEvent, validateStreamValue } from './validate.js';

describe('validateStreamValue', () => {
  it('accepts a valid value of each kind', () => {
    expect(validateStreamValue('web', pageView)).toEqual([]);
    expect(validateStreamValue('stt.transcript', segment)).toEqual([]);
  });

  it('names each wrong field with what it expected', () => {
    const value = {
      envelope: { ...envelope('conversion'), occurred_at: '2025-01-15', session_id: undefined },
      payload: {
        'backbone.events.web.Conversion': { order_id: 'o-1', value: 'ten', currency: 'EUR' },
      },
    };
    expect(validateStreamValue('web', value)).toEqual([
      { field: 'envelope.occurred_at', message: 'Expected an integer' },
      { field: 'envelope.session_id', message: 'Required field missing' },
      { field: 'payload.backbone.events.web.Conversion.value', message: 'Expected a number' },
    ]);
  });

  it('refuses fields the schema does not declare, which would have no privacy class', () => {
    const value = {
      ...pageView,
      payload: {
        'backbone.events.web.PageView': { url: '/a', title: null, email: 'jane@example.com' },
      },
    };
    expect(validateStreamValue('web', value)).toEqual([
      { field: 'payload.backbone.events.web.PageView.email', message: 'Unknown field' },
    ]);
  });

  it('refuses a payload of another stream', () => {
    const errors = validateStreamValue('web', { ...pageView, payload: segment.payload });
    expect(errors.map((e) => e.field)).toEqual(['payload']);
  });
});

describe('validateEvent', () => {
  it('accepts an event whose type and payload agree', () => {
    expect(validateEvent('web', pageView)).toEqual([]);
  });

  it('refuses an event type of another stream, and a payload of the wrong type', () => {
    expect(validateEvent('web', { ...pageView, envelope: envelope('stt_error') })).toEqual([
      { field: 'envelope.event_type', message: 'Unknown event type for stream web' },
    ]);
    expect(validateEvent('web', { ...pageView, envelope: envelope('click') })).toEqual([
      {
        field: 'payload',
        message:
          'Event type click carries backbone.events.web.Click, not backbone.events.web.PageView',
      },
    ]);
  });
});
