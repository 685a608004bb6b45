// Generated from schemas/avro/*.avsc by `npm run generate -w @backbone/schemas`. Do not edit.

/** Each stream's raw value schema (raw.* topics), self-contained, with its privacy attributes. */
export const STREAM_SCHEMAS = {
  "web": {
    "type": "record",
    "name": "backbone.events.web.WebEvent",
    "doc": "Stream web: page views, clicks, conversions and custom events from browsers and services.",
    "fields": [
      {
        "name": "envelope",
        "type": {
          "type": "record",
          "name": "backbone.events.Envelope",
          "doc": "What every event carries, whatever its stream. received_at, tenant_id and source are set by the server, never by the sender.",
          "fields": [
            {
              "name": "event_id",
              "type": "string",
              "privacy": "none",
              "contract": "uuid",
              "doc": "UUID chosen by the sender; retries keep it, so it deduplicates."
            },
            {
              "name": "event_type",
              "type": "string",
              "privacy": "none",
              "contract": "code"
            },
            {
              "name": "occurred_at",
              "type": {
                "type": "long",
                "logicalType": "timestamp-millis"
              },
              "privacy": "none",
              "doc": "When it happened, by the sender's clock (clamped if far in the future)."
            },
            {
              "name": "received_at",
              "type": {
                "type": "long",
                "logicalType": "timestamp-millis"
              },
              "privacy": "none",
              "doc": "When the gateway accepted it."
            },
            {
              "name": "occurred_at_clamped",
              "type": "boolean",
              "default": false,
              "privacy": "none",
              "doc": "occurred_at lay too far in the future and was set to received_at."
            },
            {
              "name": "tenant_id",
              "type": "string",
              "privacy": "none",
              "contract": "code",
              "doc": "The customer organisation, from the API key."
            },
            {
              "name": "source",
              "type": "string",
              "privacy": "none",
              "contract": "code",
              "doc": "The sending application, from the API key."
            },
            {
              "name": "session_id",
              "type": "string",
              "privacy": "low",
              "contract": "identifier",
              "doc": "Random session UUID; also the Kafka record key."
            },
            {
              "name": "anonymous_id",
              "type": [
                "null",
                "string"
              ],
              "default": null,
              "privacy": "medium",
              "subject": "anonymous",
              "contract": "identifier",
              "doc": "Device identifier (already hashed by the sender); stripped without analytics consent."
            },
            {
              "name": "user_id",
              "type": [
                "null",
                "string"
              ],
              "default": null,
              "privacy": "high",
              "subject": "user",
              "contract": "identifier",
              "doc": "The sender's user id; tokenized downstream, stripped without consent."
            },
            {
              "name": "consent",
              "privacy": "none",
              "type": {
                "type": "record",
                "name": "backbone.events.Consent",
                "doc": "Consent Mode v2 decisions as the sender knew them; null means not stated.",
                "fields": [
                  {
                    "name": "analytics",
                    "type": [
                      "null",
                      "boolean"
                    ],
                    "default": null,
                    "privacy": "none"
                  },
                  {
                    "name": "marketing",
                    "type": [
                      "null",
                      "boolean"
                    ],
                    "default": null,
                    "privacy": "none"
                  },
                  {
                    "name": "functional",
                    "type": [
                      "null",
                      "boolean"
                    ],
                    "default": null,
                    "privacy": "none"
                  },
                  {
                    "name": "gpc",
                    "type": "boolean",
                    "default": false,
                    "privacy": "none",
                    "doc": "The request carried Sec-GPC: 1 (Global Privacy Control)."
                  },
                  {
                    "name": "dnt",
                    "type": "boolean",
                    "default": false,
                    "privacy": "none",
                    "doc": "The request carried DNT: 1."
                  },
                  {
                    "name": "anonymized",
                    "type": "boolean",
                    "default": false,
                    "privacy": "none",
                    "doc": "The gateway stripped identifiers for lack of consent."
                  }
                ]
              }
            },
            {
              "name": "context",
              "privacy": "none",
              "type": {
                "type": "record",
                "name": "backbone.events.Context",
                "fields": [
                  {
                    "name": "ip",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "medium",
                    "subject": "linked",
                    "contract": "ip",
                    "doc": "Client IP (trusted proxies only); only raw.* topics hold it."
                  },
                  {
                    "name": "user_agent",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "medium",
                    "subject": "linked",
                    "contract": "free_text",
                    "doc": "Full user agent; reduced to device, browser and OS downstream."
                  },
                  {
                    "name": "locale",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "low",
                    "contract": "locale"
                  },
                  {
                    "name": "timezone",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "low",
                    "contract": "timezone"
                  },
                  {
                    "name": "page_url",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "low",
                    "contract": "url",
                    "doc": "Page the event happened on; query strings are cut to UTM parameters downstream."
                  },
                  {
                    "name": "referrer",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "low",
                    "contract": "url"
                  }
                ]
              }
            }
          ]
        },
        "privacy": "none"
      },
      {
        "name": "payload",
        "privacy": "none",
        "type": [
          {
            "type": "record",
            "name": "backbone.events.web.PageView",
            "doc": "event_type page_view",
            "fields": [
              {
                "name": "url",
                "type": "string",
                "privacy": "low",
                "contract": "url"
              },
              {
                "name": "title",
                "type": [
                  "null",
                  "string"
                ],
                "default": null,
                "privacy": "low",
                "contract": "free_text"
              }
            ]
          },
          {
            "type": "record",
            "name": "backbone.events.web.Click",
            "doc": "event_type click",
            "fields": [
              {
                "name": "element",
                "type": "string",
                "privacy": "low",
                "contract": "free_text",
                "doc": "What was clicked: a selector or element id, never its text."
              },
              {
                "name": "target",
                "type": [
                  "null",
                  "string"
                ],
                "default": null,
                "privacy": "low",
                "contract": "url",
                "doc": "Where it leads (href), if anywhere."
              }
            ]
          },
          {
            "type": "record",
            "name": "backbone.events.web.Conversion",
            "doc": "event_type conversion",
            "fields": [
              {
                "name": "order_id",
                "type": "string",
                "privacy": "medium",
                "subject": "linked",
                "contract": "identifier",
                "doc": "Links to a customer record elsewhere: pseudonymized downstream."
              },
              {
                "name": "value",
                "type": "double",
                "privacy": "none"
              },
              {
                "name": "currency",
                "type": "string",
                "privacy": "none",
                "contract": "currency",
                "doc": "ISO 4217 code."
              }
            ]
          },
          {
            "type": "record",
            "name": "backbone.events.web.CustomEvent",
            "doc": "event_type custom",
            "fields": [
              {
                "name": "name",
                "type": "string",
                "privacy": "low",
                "contract": "free_text"
              },
              {
                "name": "properties",
                "type": {
                  "type": "map",
                  "values": "string"
                },
                "default": {},
                "privacy": "low",
                "contract": "free_text",
                "doc": "Free-form analytics properties; no personal data (values are scanned and redacted downstream)."
              }
            ]
          }
        ]
      }
    ]
  },
  "stt.transcript": {
    "type": "record",
    "name": "backbone.events.stt.TranscriptEvent",
    "doc": "Stream stt.transcript: transcription progress and segments. Segment text is the most sensitive data we carry: dropped downstream by default, or redacted by tenant policy.",
    "fields": [
      {
        "name": "envelope",
        "type": {
          "type": "record",
          "name": "backbone.events.Envelope",
          "doc": "What every event carries, whatever its stream. received_at, tenant_id and source are set by the server, never by the sender.",
          "fields": [
            {
              "name": "event_id",
              "type": "string",
              "privacy": "none",
              "contract": "uuid",
              "doc": "UUID chosen by the sender; retries keep it, so it deduplicates."
            },
            {
              "name": "event_type",
              "type": "string",
              "privacy": "none",
              "contract": "code"
            },
            {
              "name": "occurred_at",
              "type": {
                "type": "long",
                "logicalType": "timestamp-millis"
              },
              "privacy": "none",
              "doc": "When it happened, by the sender's clock (clamped if far in the future)."
            },
            {
              "name": "received_at",
              "type": {
                "type": "long",
                "logicalType": "timestamp-millis"
              },
              "privacy": "none",
              "doc": "When the gateway accepted it."
            },
            {
              "name": "occurred_at_clamped",
              "type": "boolean",
              "default": false,
              "privacy": "none",
              "doc": "occurred_at lay too far in the future and was set to received_at."
            },
            {
              "name": "tenant_id",
              "type": "string",
              "privacy": "none",
              "contract": "code",
              "doc": "The customer organisation, from the API key."
            },
            {
              "name": "source",
              "type": "string",
              "privacy": "none",
              "contract": "code",
              "doc": "The sending application, from the API key."
            },
            {
              "name": "session_id",
              "type": "string",
              "privacy": "low",
              "contract": "identifier",
              "doc": "Random session UUID; also the Kafka record key."
            },
            {
              "name": "anonymous_id",
              "type": [
                "null",
                "string"
              ],
              "default": null,
              "privacy": "medium",
              "subject": "anonymous",
              "contract": "identifier",
              "doc": "Device identifier (already hashed by the sender); stripped without analytics consent."
            },
            {
              "name": "user_id",
              "type": [
                "null",
                "string"
              ],
              "default": null,
              "privacy": "high",
              "subject": "user",
              "contract": "identifier",
              "doc": "The sender's user id; tokenized downstream, stripped without consent."
            },
            {
              "name": "consent",
              "privacy": "none",
              "type": {
                "type": "record",
                "name": "backbone.events.Consent",
                "doc": "Consent Mode v2 decisions as the sender knew them; null means not stated.",
                "fields": [
                  {
                    "name": "analytics",
                    "type": [
                      "null",
                      "boolean"
                    ],
                    "default": null,
                    "privacy": "none"
                  },
                  {
                    "name": "marketing",
                    "type": [
                      "null",
                      "boolean"
                    ],
                    "default": null,
                    "privacy": "none"
                  },
                  {
                    "name": "functional",
                    "type": [
                      "null",
                      "boolean"
                    ],
                    "default": null,
                    "privacy": "none"
                  },
                  {
                    "name": "gpc",
                    "type": "boolean",
                    "default": false,
                    "privacy": "none",
                    "doc": "The request carried Sec-GPC: 1 (Global Privacy Control)."
                  },
                  {
                    "name": "dnt",
                    "type": "boolean",
                    "default": false,
                    "privacy": "none",
                    "doc": "The request carried DNT: 1."
                  },
                  {
                    "name": "anonymized",
                    "type": "boolean",
                    "default": false,
                    "privacy": "none",
                    "doc": "The gateway stripped identifiers for lack of consent."
                  }
                ]
              }
            },
            {
              "name": "context",
              "privacy": "none",
              "type": {
                "type": "record",
                "name": "backbone.events.Context",
                "fields": [
                  {
                    "name": "ip",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "medium",
                    "subject": "linked",
                    "contract": "ip",
                    "doc": "Client IP (trusted proxies only); only raw.* topics hold it."
                  },
                  {
                    "name": "user_agent",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "medium",
                    "subject": "linked",
                    "contract": "free_text",
                    "doc": "Full user agent; reduced to device, browser and OS downstream."
                  },
                  {
                    "name": "locale",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "low",
                    "contract": "locale"
                  },
                  {
                    "name": "timezone",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "low",
                    "contract": "timezone"
                  },
                  {
                    "name": "page_url",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "low",
                    "contract": "url",
                    "doc": "Page the event happened on; query strings are cut to UTM parameters downstream."
                  },
                  {
                    "name": "referrer",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "low",
                    "contract": "url"
                  }
                ]
              }
            }
          ]
        },
        "privacy": "none"
      },
      {
        "name": "payload",
        "privacy": "none",
        "type": [
          {
            "type": "record",
            "name": "backbone.events.stt.TranscriptionStarted",
            "doc": "event_type stt_transcription_started",
            "fields": [
              {
                "name": "model_id",
                "type": "string",
                "privacy": "none",
                "contract": "code"
              },
              {
                "name": "language",
                "type": [
                  "null",
                  "string"
                ],
                "default": null,
                "privacy": "none",
                "contract": "locale",
                "doc": "BCP 47 tag, if known before detection."
              }
            ]
          },
          {
            "type": "record",
            "name": "backbone.events.stt.TranscriptSegment",
            "doc": "event_type stt_partial_transcript (is_final false) or stt_transcription_completed (is_final true)",
            "fields": [
              {
                "name": "segment_id",
                "type": "string",
                "privacy": "none",
                "contract": "identifier"
              },
              {
                "name": "text",
                "type": [
                  "null",
                  "string"
                ],
                "default": null,
                "privacy": "critical",
                "subject": "linked",
                "contract": "free_text",
                "doc": "Spoken words: may hold health data, names, numbers."
              },
              {
                "name": "is_final",
                "type": "boolean",
                "privacy": "none"
              },
              {
                "name": "confidence",
                "type": "float",
                "privacy": "none",
                "doc": "0 to 1."
              },
              {
                "name": "start_ms",
                "type": "long",
                "privacy": "none",
                "doc": "Offset of the segment in the audio."
              },
              {
                "name": "end_ms",
                "type": "long",
                "privacy": "none"
              },
              {
                "name": "language",
                "type": [
                  "null",
                  "string"
                ],
                "default": null,
                "privacy": "none",
                "contract": "locale"
              },
              {
                "name": "speaker_id",
                "type": [
                  "null",
                  "string"
                ],
                "default": null,
                "privacy": "low",
                "contract": "identifier",
                "doc": "Diarization label such as spk_0, not a person."
              },
              {
                "name": "speaker_label",
                "type": [
                  "null",
                  "string"
                ],
                "default": null,
                "privacy": "high",
                "subject": "none",
                "contract": "identifier",
                "doc": "Display name for the speaker, which may be a real name."
              },
              {
                "name": "model_id",
                "type": "string",
                "privacy": "none",
                "contract": "code"
              },
              {
                "name": "processing_latency_ms",
                "type": "int",
                "privacy": "none"
              },
              {
                "name": "audio_duration_ms",
                "type": "int",
                "privacy": "none"
              },
              {
                "name": "word_count",
                "type": "int",
                "privacy": "none",
                "doc": "Counted by the sender, so it survives when text is dropped."
              }
            ]
          },
          {
            "type": "record",
            "name": "backbone.events.stt.LanguageDetected",
            "doc": "event_type stt_language_detected",
            "fields": [
              {
                "name": "language",
                "type": "string",
                "privacy": "none",
                "contract": "locale"
              },
              {
                "name": "confidence",
                "type": "float",
                "privacy": "none"
              }
            ]
          }
        ]
      }
    ]
  },
  "stt.speaker": {
    "type": "record",
    "name": "backbone.events.stt.SpeakerEvent",
    "doc": "Stream stt.speaker: diarization, a speaker detected or a change of speaker.",
    "fields": [
      {
        "name": "envelope",
        "type": {
          "type": "record",
          "name": "backbone.events.Envelope",
          "doc": "What every event carries, whatever its stream. received_at, tenant_id and source are set by the server, never by the sender.",
          "fields": [
            {
              "name": "event_id",
              "type": "string",
              "privacy": "none",
              "contract": "uuid",
              "doc": "UUID chosen by the sender; retries keep it, so it deduplicates."
            },
            {
              "name": "event_type",
              "type": "string",
              "privacy": "none",
              "contract": "code"
            },
            {
              "name": "occurred_at",
              "type": {
                "type": "long",
                "logicalType": "timestamp-millis"
              },
              "privacy": "none",
              "doc": "When it happened, by the sender's clock (clamped if far in the future)."
            },
            {
              "name": "received_at",
              "type": {
                "type": "long",
                "logicalType": "timestamp-millis"
              },
              "privacy": "none",
              "doc": "When the gateway accepted it."
            },
            {
              "name": "occurred_at_clamped",
              "type": "boolean",
              "default": false,
              "privacy": "none",
              "doc": "occurred_at lay too far in the future and was set to received_at."
            },
            {
              "name": "tenant_id",
              "type": "string",
              "privacy": "none",
              "contract": "code",
              "doc": "The customer organisation, from the API key."
            },
            {
              "name": "source",
              "type": "string",
              "privacy": "none",
              "contract": "code",
              "doc": "The sending application, from the API key."
            },
            {
              "name": "session_id",
              "type": "string",
              "privacy": "low",
              "contract": "identifier",
              "doc": "Random session UUID; also the Kafka record key."
            },
            {
              "name": "anonymous_id",
              "type": [
                "null",
                "string"
              ],
              "default": null,
              "privacy": "medium",
              "subject": "anonymous",
              "contract": "identifier",
              "doc": "Device identifier (already hashed by the sender); stripped without analytics consent."
            },
            {
              "name": "user_id",
              "type": [
                "null",
                "string"
              ],
              "default": null,
              "privacy": "high",
              "subject": "user",
              "contract": "identifier",
              "doc": "The sender's user id; tokenized downstream, stripped without consent."
            },
            {
              "name": "consent",
              "privacy": "none",
              "type": {
                "type": "record",
                "name": "backbone.events.Consent",
                "doc": "Consent Mode v2 decisions as the sender knew them; null means not stated.",
                "fields": [
                  {
                    "name": "analytics",
                    "type": [
                      "null",
                      "boolean"
                    ],
                    "default": null,
                    "privacy": "none"
                  },
                  {
                    "name": "marketing",
                    "type": [
                      "null",
                      "boolean"
                    ],
                    "default": null,
                    "privacy": "none"
                  },
                  {
                    "name": "functional",
                    "type": [
                      "null",
                      "boolean"
                    ],
                    "default": null,
                    "privacy": "none"
                  },
                  {
                    "name": "gpc",
                    "type": "boolean",
                    "default": false,
                    "privacy": "none",
                    "doc": "The request carried Sec-GPC: 1 (Global Privacy Control)."
                  },
                  {
                    "name": "dnt",
                    "type": "boolean",
                    "default": false,
                    "privacy": "none",
                    "doc": "The request carried DNT: 1."
                  },
                  {
                    "name": "anonymized",
                    "type": "boolean",
                    "default": false,
                    "privacy": "none",
                    "doc": "The gateway stripped identifiers for lack of consent."
                  }
                ]
              }
            },
            {
              "name": "context",
              "privacy": "none",
              "type": {
                "type": "record",
                "name": "backbone.events.Context",
                "fields": [
                  {
                    "name": "ip",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "medium",
                    "subject": "linked",
                    "contract": "ip",
                    "doc": "Client IP (trusted proxies only); only raw.* topics hold it."
                  },
                  {
                    "name": "user_agent",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "medium",
                    "subject": "linked",
                    "contract": "free_text",
                    "doc": "Full user agent; reduced to device, browser and OS downstream."
                  },
                  {
                    "name": "locale",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "low",
                    "contract": "locale"
                  },
                  {
                    "name": "timezone",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "low",
                    "contract": "timezone"
                  },
                  {
                    "name": "page_url",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "low",
                    "contract": "url",
                    "doc": "Page the event happened on; query strings are cut to UTM parameters downstream."
                  },
                  {
                    "name": "referrer",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "low",
                    "contract": "url"
                  }
                ]
              }
            }
          ]
        },
        "privacy": "none"
      },
      {
        "name": "payload",
        "privacy": "none",
        "type": [
          {
            "type": "record",
            "name": "backbone.events.stt.SpeakerDetected",
            "doc": "event_type stt_speaker_detected",
            "fields": [
              {
                "name": "speaker_id",
                "type": "string",
                "privacy": "low",
                "contract": "identifier"
              },
              {
                "name": "speaker_label",
                "type": [
                  "null",
                  "string"
                ],
                "default": null,
                "privacy": "high",
                "subject": "none",
                "contract": "identifier"
              },
              {
                "name": "offset_ms",
                "type": "long",
                "privacy": "none"
              },
              {
                "name": "confidence",
                "type": "float",
                "privacy": "none"
              }
            ]
          },
          {
            "type": "record",
            "name": "backbone.events.stt.SpeakerChanged",
            "doc": "event_type stt_speaker_changed",
            "fields": [
              {
                "name": "from_speaker_id",
                "type": [
                  "null",
                  "string"
                ],
                "default": null,
                "privacy": "low",
                "contract": "identifier"
              },
              {
                "name": "to_speaker_id",
                "type": "string",
                "privacy": "low",
                "contract": "identifier"
              },
              {
                "name": "offset_ms",
                "type": "long",
                "privacy": "none"
              },
              {
                "name": "confidence",
                "type": "float",
                "privacy": "none"
              }
            ]
          }
        ]
      }
    ]
  },
  "stt.session": {
    "type": "record",
    "name": "backbone.events.stt.SessionEvent",
    "doc": "Stream stt.session: the lifecycle and quality of a speech-to-text session.",
    "fields": [
      {
        "name": "envelope",
        "type": {
          "type": "record",
          "name": "backbone.events.Envelope",
          "doc": "What every event carries, whatever its stream. received_at, tenant_id and source are set by the server, never by the sender.",
          "fields": [
            {
              "name": "event_id",
              "type": "string",
              "privacy": "none",
              "contract": "uuid",
              "doc": "UUID chosen by the sender; retries keep it, so it deduplicates."
            },
            {
              "name": "event_type",
              "type": "string",
              "privacy": "none",
              "contract": "code"
            },
            {
              "name": "occurred_at",
              "type": {
                "type": "long",
                "logicalType": "timestamp-millis"
              },
              "privacy": "none",
              "doc": "When it happened, by the sender's clock (clamped if far in the future)."
            },
            {
              "name": "received_at",
              "type": {
                "type": "long",
                "logicalType": "timestamp-millis"
              },
              "privacy": "none",
              "doc": "When the gateway accepted it."
            },
            {
              "name": "occurred_at_clamped",
              "type": "boolean",
              "default": false,
              "privacy": "none",
              "doc": "occurred_at lay too far in the future and was set to received_at."
            },
            {
              "name": "tenant_id",
              "type": "string",
              "privacy": "none",
              "contract": "code",
              "doc": "The customer organisation, from the API key."
            },
            {
              "name": "source",
              "type": "string",
              "privacy": "none",
              "contract": "code",
              "doc": "The sending application, from the API key."
            },
            {
              "name": "session_id",
              "type": "string",
              "privacy": "low",
              "contract": "identifier",
              "doc": "Random session UUID; also the Kafka record key."
            },
            {
              "name": "anonymous_id",
              "type": [
                "null",
                "string"
              ],
              "default": null,
              "privacy": "medium",
              "subject": "anonymous",
              "contract": "identifier",
              "doc": "Device identifier (already hashed by the sender); stripped without analytics consent."
            },
            {
              "name": "user_id",
              "type": [
                "null",
                "string"
              ],
              "default": null,
              "privacy": "high",
              "subject": "user",
              "contract": "identifier",
              "doc": "The sender's user id; tokenized downstream, stripped without consent."
            },
            {
              "name": "consent",
              "privacy": "none",
              "type": {
                "type": "record",
                "name": "backbone.events.Consent",
                "doc": "Consent Mode v2 decisions as the sender knew them; null means not stated.",
                "fields": [
                  {
                    "name": "analytics",
                    "type": [
                      "null",
                      "boolean"
                    ],
                    "default": null,
                    "privacy": "none"
                  },
                  {
                    "name": "marketing",
                    "type": [
                      "null",
                      "boolean"
                    ],
                    "default": null,
                    "privacy": "none"
                  },
                  {
                    "name": "functional",
                    "type": [
                      "null",
                      "boolean"
                    ],
                    "default": null,
                    "privacy": "none"
                  },
                  {
                    "name": "gpc",
                    "type": "boolean",
                    "default": false,
                    "privacy": "none",
                    "doc": "The request carried Sec-GPC: 1 (Global Privacy Control)."
                  },
                  {
                    "name": "dnt",
                    "type": "boolean",
                    "default": false,
                    "privacy": "none",
                    "doc": "The request carried DNT: 1."
                  },
                  {
                    "name": "anonymized",
                    "type": "boolean",
                    "default": false,
                    "privacy": "none",
                    "doc": "The gateway stripped identifiers for lack of consent."
                  }
                ]
              }
            },
            {
              "name": "context",
              "privacy": "none",
              "type": {
                "type": "record",
                "name": "backbone.events.Context",
                "fields": [
                  {
                    "name": "ip",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "medium",
                    "subject": "linked",
                    "contract": "ip",
                    "doc": "Client IP (trusted proxies only); only raw.* topics hold it."
                  },
                  {
                    "name": "user_agent",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "medium",
                    "subject": "linked",
                    "contract": "free_text",
                    "doc": "Full user agent; reduced to device, browser and OS downstream."
                  },
                  {
                    "name": "locale",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "low",
                    "contract": "locale"
                  },
                  {
                    "name": "timezone",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "low",
                    "contract": "timezone"
                  },
                  {
                    "name": "page_url",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "low",
                    "contract": "url",
                    "doc": "Page the event happened on; query strings are cut to UTM parameters downstream."
                  },
                  {
                    "name": "referrer",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "low",
                    "contract": "url"
                  }
                ]
              }
            }
          ]
        },
        "privacy": "none"
      },
      {
        "name": "payload",
        "privacy": "none",
        "type": [
          {
            "type": "record",
            "name": "backbone.events.stt.SessionStarted",
            "doc": "event_type stt_session_started",
            "fields": [
              {
                "name": "model_id",
                "type": "string",
                "privacy": "none",
                "contract": "code"
              },
              {
                "name": "language",
                "type": [
                  "null",
                  "string"
                ],
                "default": null,
                "privacy": "none",
                "contract": "locale"
              },
              {
                "name": "diarization",
                "type": "boolean",
                "privacy": "none"
              },
              {
                "name": "sample_rate_hz",
                "type": "int",
                "privacy": "none"
              },
              {
                "name": "bit_depth",
                "type": "int",
                "privacy": "none"
              },
              {
                "name": "channels",
                "type": "int",
                "default": 1,
                "privacy": "none"
              }
            ]
          },
          {
            "type": "record",
            "name": "backbone.events.stt.SessionCompleted",
            "doc": "event_type stt_session_completed",
            "fields": [
              {
                "name": "duration_ms",
                "type": "long",
                "privacy": "none"
              },
              {
                "name": "word_count",
                "type": "int",
                "privacy": "none"
              },
              {
                "name": "speaker_count",
                "type": "int",
                "privacy": "none"
              },
              {
                "name": "status",
                "type": {
                  "type": "enum",
                  "name": "backbone.events.stt.SessionStatus",
                  "symbols": [
                    "completed",
                    "cancelled",
                    "failed",
                    "timeout"
                  ]
                },
                "privacy": "none"
              }
            ]
          },
          {
            "type": "record",
            "name": "backbone.events.stt.SessionError",
            "doc": "event_type stt_error",
            "fields": [
              {
                "name": "code",
                "type": "string",
                "privacy": "none",
                "contract": "code"
              },
              {
                "name": "message",
                "type": "string",
                "privacy": "low",
                "contract": "free_text",
                "doc": "Technical message; never echo audio or transcript content here."
              },
              {
                "name": "retriable",
                "type": "boolean",
                "default": false,
                "privacy": "none"
              },
              {
                "name": "model_id",
                "type": [
                  "null",
                  "string"
                ],
                "default": null,
                "privacy": "none",
                "contract": "code",
                "doc": "The model that failed, when known: error rates by model and language."
              },
              {
                "name": "language",
                "type": [
                  "null",
                  "string"
                ],
                "default": null,
                "privacy": "none",
                "contract": "locale"
              }
            ]
          },
          {
            "type": "record",
            "name": "backbone.events.stt.QualityAssessment",
            "doc": "event_type stt_quality_assessment",
            "fields": [
              {
                "name": "avg_confidence",
                "type": "float",
                "privacy": "none"
              },
              {
                "name": "processing_latency_ms",
                "type": "int",
                "privacy": "none"
              },
              {
                "name": "real_time_factor",
                "type": "float",
                "privacy": "none",
                "doc": "Processing time / audio duration."
              },
              {
                "name": "word_accuracy",
                "type": [
                  "null",
                  "float"
                ],
                "default": null,
                "privacy": "none"
              },
              {
                "name": "language_confidence",
                "type": [
                  "null",
                  "float"
                ],
                "default": null,
                "privacy": "none"
              },
              {
                "name": "noise_level_db",
                "type": [
                  "null",
                  "float"
                ],
                "default": null,
                "privacy": "none"
              },
              {
                "name": "speech_ratio",
                "type": [
                  "null",
                  "float"
                ],
                "default": null,
                "privacy": "none",
                "doc": "Speech to silence, 0 to 1."
              },
              {
                "name": "clipping_detected",
                "type": [
                  "null",
                  "boolean"
                ],
                "default": null,
                "privacy": "none"
              },
              {
                "name": "sample_rate_hz",
                "type": [
                  "null",
                  "int"
                ],
                "default": null,
                "privacy": "none"
              },
              {
                "name": "bit_depth",
                "type": [
                  "null",
                  "int"
                ],
                "default": null,
                "privacy": "none"
              }
            ]
          }
        ]
      }
    ]
  },
  "consent": {
    "type": "record",
    "name": "backbone.events.consent.ConsentEvent",
    "doc": "Stream consent: the record of a person's consent decisions (docs/privacy.md#consent-records). Its own stream, so the log does not depend on the analytics consent it records.",
    "fields": [
      {
        "name": "envelope",
        "type": {
          "type": "record",
          "name": "backbone.events.Envelope",
          "doc": "What every event carries, whatever its stream. received_at, tenant_id and source are set by the server, never by the sender.",
          "fields": [
            {
              "name": "event_id",
              "type": "string",
              "privacy": "none",
              "contract": "uuid",
              "doc": "UUID chosen by the sender; retries keep it, so it deduplicates."
            },
            {
              "name": "event_type",
              "type": "string",
              "privacy": "none",
              "contract": "code"
            },
            {
              "name": "occurred_at",
              "type": {
                "type": "long",
                "logicalType": "timestamp-millis"
              },
              "privacy": "none",
              "doc": "When it happened, by the sender's clock (clamped if far in the future)."
            },
            {
              "name": "received_at",
              "type": {
                "type": "long",
                "logicalType": "timestamp-millis"
              },
              "privacy": "none",
              "doc": "When the gateway accepted it."
            },
            {
              "name": "occurred_at_clamped",
              "type": "boolean",
              "default": false,
              "privacy": "none",
              "doc": "occurred_at lay too far in the future and was set to received_at."
            },
            {
              "name": "tenant_id",
              "type": "string",
              "privacy": "none",
              "contract": "code",
              "doc": "The customer organisation, from the API key."
            },
            {
              "name": "source",
              "type": "string",
              "privacy": "none",
              "contract": "code",
              "doc": "The sending application, from the API key."
            },
            {
              "name": "session_id",
              "type": "string",
              "privacy": "low",
              "contract": "identifier",
              "doc": "Random session UUID; also the Kafka record key."
            },
            {
              "name": "anonymous_id",
              "type": [
                "null",
                "string"
              ],
              "default": null,
              "privacy": "medium",
              "subject": "anonymous",
              "contract": "identifier",
              "doc": "Device identifier (already hashed by the sender); stripped without analytics consent."
            },
            {
              "name": "user_id",
              "type": [
                "null",
                "string"
              ],
              "default": null,
              "privacy": "high",
              "subject": "user",
              "contract": "identifier",
              "doc": "The sender's user id; tokenized downstream, stripped without consent."
            },
            {
              "name": "consent",
              "privacy": "none",
              "type": {
                "type": "record",
                "name": "backbone.events.Consent",
                "doc": "Consent Mode v2 decisions as the sender knew them; null means not stated.",
                "fields": [
                  {
                    "name": "analytics",
                    "type": [
                      "null",
                      "boolean"
                    ],
                    "default": null,
                    "privacy": "none"
                  },
                  {
                    "name": "marketing",
                    "type": [
                      "null",
                      "boolean"
                    ],
                    "default": null,
                    "privacy": "none"
                  },
                  {
                    "name": "functional",
                    "type": [
                      "null",
                      "boolean"
                    ],
                    "default": null,
                    "privacy": "none"
                  },
                  {
                    "name": "gpc",
                    "type": "boolean",
                    "default": false,
                    "privacy": "none",
                    "doc": "The request carried Sec-GPC: 1 (Global Privacy Control)."
                  },
                  {
                    "name": "dnt",
                    "type": "boolean",
                    "default": false,
                    "privacy": "none",
                    "doc": "The request carried DNT: 1."
                  },
                  {
                    "name": "anonymized",
                    "type": "boolean",
                    "default": false,
                    "privacy": "none",
                    "doc": "The gateway stripped identifiers for lack of consent."
                  }
                ]
              }
            },
            {
              "name": "context",
              "privacy": "none",
              "type": {
                "type": "record",
                "name": "backbone.events.Context",
                "fields": [
                  {
                    "name": "ip",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "medium",
                    "subject": "linked",
                    "contract": "ip",
                    "doc": "Client IP (trusted proxies only); only raw.* topics hold it."
                  },
                  {
                    "name": "user_agent",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "medium",
                    "subject": "linked",
                    "contract": "free_text",
                    "doc": "Full user agent; reduced to device, browser and OS downstream."
                  },
                  {
                    "name": "locale",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "low",
                    "contract": "locale"
                  },
                  {
                    "name": "timezone",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "low",
                    "contract": "timezone"
                  },
                  {
                    "name": "page_url",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "low",
                    "contract": "url",
                    "doc": "Page the event happened on; query strings are cut to UTM parameters downstream."
                  },
                  {
                    "name": "referrer",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "low",
                    "contract": "url"
                  }
                ]
              }
            }
          ]
        },
        "privacy": "none"
      },
      {
        "name": "payload",
        "privacy": "none",
        "type": [
          {
            "type": "record",
            "name": "backbone.events.consent.ConsentDecision",
            "doc": "event_type consent_decision: true granted, false refused or withdrawn, null not part of this decision.",
            "fields": [
              {
                "name": "analytics",
                "type": [
                  "null",
                  "boolean"
                ],
                "default": null,
                "privacy": "none"
              },
              {
                "name": "marketing",
                "type": [
                  "null",
                  "boolean"
                ],
                "default": null,
                "privacy": "none"
              },
              {
                "name": "functional",
                "type": [
                  "null",
                  "boolean"
                ],
                "default": null,
                "privacy": "none"
              },
              {
                "name": "text_version",
                "type": [
                  "null",
                  "string"
                ],
                "default": null,
                "privacy": "none",
                "contract": "code",
                "doc": "The version of the consent text the person saw, as the site names it."
              },
              {
                "name": "text_sha256",
                "type": [
                  "null",
                  "string"
                ],
                "default": null,
                "privacy": "none",
                "contract": "code",
                "doc": "SHA-256 (hex) of the exact consent text the person saw; the gateway computes it when sent the text."
              },
              {
                "name": "method",
                "type": "string",
                "privacy": "none",
                "contract": "code",
                "doc": "How the decision was made: banner, settings, api, gpc, import … (a code the site chooses)."
              }
            ]
          },
          {
            "type": "record",
            "name": "backbone.events.consent.ConsentRequested",
            "doc": "event_type consent_requested: the consent text was put to the person (a banner shown), so a decision can be matched to what was asked and consent rates measured.",
            "fields": [
              {
                "name": "text_version",
                "type": [
                  "null",
                  "string"
                ],
                "default": null,
                "privacy": "none",
                "contract": "code"
              },
              {
                "name": "text_sha256",
                "type": [
                  "null",
                  "string"
                ],
                "default": null,
                "privacy": "none",
                "contract": "code"
              },
              {
                "name": "method",
                "type": "string",
                "privacy": "none",
                "contract": "code"
              }
            ]
          }
        ]
      }
    ]
  }
} as const;

/** Each stream's enriched, masked value schema (events.* topics). */
export const ENRICHED_SCHEMAS = {
  "web": {
    "type": "record",
    "name": "backbone.events.web.EnrichedWebEvent",
    "doc": "The event store's form of web events (events.* topics): the raw event enriched, then masked by privacy class. Identifiers are pseudonymized or tokenized, the client IP is a keyed hash, the full user agent is gone.",
    "fields": [
      {
        "name": "envelope",
        "type": {
          "type": "record",
          "name": "backbone.events.Envelope",
          "doc": "What every event carries, whatever its stream. received_at, tenant_id and source are set by the server, never by the sender.",
          "fields": [
            {
              "name": "event_id",
              "type": "string",
              "privacy": "none",
              "contract": "uuid",
              "doc": "UUID chosen by the sender; retries keep it, so it deduplicates."
            },
            {
              "name": "event_type",
              "type": "string",
              "privacy": "none",
              "contract": "code"
            },
            {
              "name": "occurred_at",
              "type": {
                "type": "long",
                "logicalType": "timestamp-millis"
              },
              "privacy": "none",
              "doc": "When it happened, by the sender's clock (clamped if far in the future)."
            },
            {
              "name": "received_at",
              "type": {
                "type": "long",
                "logicalType": "timestamp-millis"
              },
              "privacy": "none",
              "doc": "When the gateway accepted it."
            },
            {
              "name": "occurred_at_clamped",
              "type": "boolean",
              "default": false,
              "privacy": "none",
              "doc": "occurred_at lay too far in the future and was set to received_at."
            },
            {
              "name": "tenant_id",
              "type": "string",
              "privacy": "none",
              "contract": "code",
              "doc": "The customer organisation, from the API key."
            },
            {
              "name": "source",
              "type": "string",
              "privacy": "none",
              "contract": "code",
              "doc": "The sending application, from the API key."
            },
            {
              "name": "session_id",
              "type": "string",
              "privacy": "low",
              "contract": "identifier",
              "doc": "Random session UUID; also the Kafka record key."
            },
            {
              "name": "anonymous_id",
              "type": [
                "null",
                "string"
              ],
              "default": null,
              "privacy": "medium",
              "subject": "anonymous",
              "contract": "identifier",
              "doc": "Device identifier (already hashed by the sender); stripped without analytics consent."
            },
            {
              "name": "user_id",
              "type": [
                "null",
                "string"
              ],
              "default": null,
              "privacy": "high",
              "subject": "user",
              "contract": "identifier",
              "doc": "The sender's user id; tokenized downstream, stripped without consent."
            },
            {
              "name": "consent",
              "privacy": "none",
              "type": {
                "type": "record",
                "name": "backbone.events.Consent",
                "doc": "Consent Mode v2 decisions as the sender knew them; null means not stated.",
                "fields": [
                  {
                    "name": "analytics",
                    "type": [
                      "null",
                      "boolean"
                    ],
                    "default": null,
                    "privacy": "none"
                  },
                  {
                    "name": "marketing",
                    "type": [
                      "null",
                      "boolean"
                    ],
                    "default": null,
                    "privacy": "none"
                  },
                  {
                    "name": "functional",
                    "type": [
                      "null",
                      "boolean"
                    ],
                    "default": null,
                    "privacy": "none"
                  },
                  {
                    "name": "gpc",
                    "type": "boolean",
                    "default": false,
                    "privacy": "none",
                    "doc": "The request carried Sec-GPC: 1 (Global Privacy Control)."
                  },
                  {
                    "name": "dnt",
                    "type": "boolean",
                    "default": false,
                    "privacy": "none",
                    "doc": "The request carried DNT: 1."
                  },
                  {
                    "name": "anonymized",
                    "type": "boolean",
                    "default": false,
                    "privacy": "none",
                    "doc": "The gateway stripped identifiers for lack of consent."
                  }
                ]
              }
            },
            {
              "name": "context",
              "privacy": "none",
              "type": {
                "type": "record",
                "name": "backbone.events.Context",
                "fields": [
                  {
                    "name": "ip",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "medium",
                    "subject": "linked",
                    "contract": "ip",
                    "doc": "Client IP (trusted proxies only); only raw.* topics hold it."
                  },
                  {
                    "name": "user_agent",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "medium",
                    "subject": "linked",
                    "contract": "free_text",
                    "doc": "Full user agent; reduced to device, browser and OS downstream."
                  },
                  {
                    "name": "locale",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "low",
                    "contract": "locale"
                  },
                  {
                    "name": "timezone",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "low",
                    "contract": "timezone"
                  },
                  {
                    "name": "page_url",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "low",
                    "contract": "url",
                    "doc": "Page the event happened on; query strings are cut to UTM parameters downstream."
                  },
                  {
                    "name": "referrer",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "low",
                    "contract": "url"
                  }
                ]
              }
            }
          ]
        },
        "privacy": "none",
        "doc": "Masked: anonymous_id and context.ip pseudonymized, user_id tokenized, user_agent removed."
      },
      {
        "name": "enrichment",
        "type": {
          "type": "record",
          "name": "backbone.events.Enrichment",
          "doc": "What the enrich worker derived from the raw event before masking it. Nothing here identifies a person.",
          "fields": [
            {
              "name": "device_type",
              "type": "string",
              "privacy": "none",
              "contract": "label",
              "doc": "desktop, mobile, tablet, tv, console, wearable, bot or other."
            },
            {
              "name": "browser",
              "type": "string",
              "privacy": "none",
              "contract": "label",
              "doc": "Browser name, or (unknown)."
            },
            {
              "name": "browser_major",
              "type": "string",
              "privacy": "none",
              "contract": "label",
              "doc": "Major version only: full versions help fingerprinting."
            },
            {
              "name": "os",
              "type": "string",
              "privacy": "none",
              "contract": "label"
            },
            {
              "name": "os_major",
              "type": "string",
              "privacy": "none",
              "contract": "label"
            },
            {
              "name": "is_bot",
              "type": "boolean",
              "privacy": "none"
            },
            {
              "name": "country",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "country",
              "default": null,
              "doc": "ISO 3166-1 alpha-2, from the truncated IP."
            },
            {
              "name": "region",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "label",
              "default": null,
              "doc": "Subdivision (state, region), from the truncated IP."
            },
            {
              "name": "page_host",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "host",
              "default": null
            },
            {
              "name": "page_path",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "free_text",
              "default": null,
              "doc": "Path only: query strings and fragments are dropped."
            },
            {
              "name": "utm_source",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "free_text",
              "default": null
            },
            {
              "name": "utm_medium",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "free_text",
              "default": null
            },
            {
              "name": "utm_campaign",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "free_text",
              "default": null
            },
            {
              "name": "utm_term",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "free_text",
              "default": null
            },
            {
              "name": "utm_content",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "free_text",
              "default": null
            },
            {
              "name": "referrer_host",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "host",
              "default": null,
              "doc": "Host of the referrer; its path and query are dropped."
            },
            {
              "name": "traffic_source",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "free_text",
              "default": null,
              "doc": "UTM source, search engine, social network, referring host, (internal) or (direct)."
            },
            {
              "name": "traffic_medium",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "free_text",
              "default": null,
              "doc": "UTM medium, organic, social, referral or (none)."
            },
            {
              "name": "text_policy",
              "type": [
                "null",
                "string"
              ],
              "privacy": "none",
              "contract": "code",
              "default": null,
              "doc": "For transcripts: drop (text removed) or redact (personal data replaced)."
            },
            {
              "name": "redactions",
              "type": "int",
              "privacy": "none",
              "default": 0,
              "doc": "Personal data items replaced in transcript text."
            },
            {
              "name": "enriched_at",
              "type": {
                "type": "long",
                "logicalType": "timestamp-millis"
              },
              "privacy": "none"
            }
          ]
        },
        "privacy": "none"
      },
      {
        "name": "payload",
        "type": [
          {
            "type": "record",
            "name": "backbone.events.web.PageView",
            "doc": "event_type page_view",
            "fields": [
              {
                "name": "url",
                "type": "string",
                "privacy": "low",
                "contract": "url"
              },
              {
                "name": "title",
                "type": [
                  "null",
                  "string"
                ],
                "default": null,
                "privacy": "low",
                "contract": "free_text"
              }
            ]
          },
          {
            "type": "record",
            "name": "backbone.events.web.Click",
            "doc": "event_type click",
            "fields": [
              {
                "name": "element",
                "type": "string",
                "privacy": "low",
                "contract": "free_text",
                "doc": "What was clicked: a selector or element id, never its text."
              },
              {
                "name": "target",
                "type": [
                  "null",
                  "string"
                ],
                "default": null,
                "privacy": "low",
                "contract": "url",
                "doc": "Where it leads (href), if anywhere."
              }
            ]
          },
          {
            "type": "record",
            "name": "backbone.events.web.Conversion",
            "doc": "event_type conversion",
            "fields": [
              {
                "name": "order_id",
                "type": "string",
                "privacy": "medium",
                "subject": "linked",
                "contract": "identifier",
                "doc": "Links to a customer record elsewhere: pseudonymized downstream."
              },
              {
                "name": "value",
                "type": "double",
                "privacy": "none"
              },
              {
                "name": "currency",
                "type": "string",
                "privacy": "none",
                "contract": "currency",
                "doc": "ISO 4217 code."
              }
            ]
          },
          {
            "type": "record",
            "name": "backbone.events.web.CustomEvent",
            "doc": "event_type custom",
            "fields": [
              {
                "name": "name",
                "type": "string",
                "privacy": "low",
                "contract": "free_text"
              },
              {
                "name": "properties",
                "type": {
                  "type": "map",
                  "values": "string"
                },
                "default": {},
                "privacy": "low",
                "contract": "free_text",
                "doc": "Free-form analytics properties; no personal data (values are scanned and redacted downstream)."
              }
            ]
          }
        ],
        "privacy": "none",
        "doc": "As received, masked by class (critical fields dropped unless a policy redacted them)."
      }
    ]
  },
  "stt.transcript": {
    "type": "record",
    "name": "backbone.events.stt.EnrichedTranscriptEvent",
    "doc": "The event store's form of stt-transcript events (events.* topics): the raw event enriched, then masked by privacy class. Identifiers are pseudonymized or tokenized, the client IP is a keyed hash, the full user agent is gone.",
    "fields": [
      {
        "name": "envelope",
        "type": {
          "type": "record",
          "name": "backbone.events.Envelope",
          "doc": "What every event carries, whatever its stream. received_at, tenant_id and source are set by the server, never by the sender.",
          "fields": [
            {
              "name": "event_id",
              "type": "string",
              "privacy": "none",
              "contract": "uuid",
              "doc": "UUID chosen by the sender; retries keep it, so it deduplicates."
            },
            {
              "name": "event_type",
              "type": "string",
              "privacy": "none",
              "contract": "code"
            },
            {
              "name": "occurred_at",
              "type": {
                "type": "long",
                "logicalType": "timestamp-millis"
              },
              "privacy": "none",
              "doc": "When it happened, by the sender's clock (clamped if far in the future)."
            },
            {
              "name": "received_at",
              "type": {
                "type": "long",
                "logicalType": "timestamp-millis"
              },
              "privacy": "none",
              "doc": "When the gateway accepted it."
            },
            {
              "name": "occurred_at_clamped",
              "type": "boolean",
              "default": false,
              "privacy": "none",
              "doc": "occurred_at lay too far in the future and was set to received_at."
            },
            {
              "name": "tenant_id",
              "type": "string",
              "privacy": "none",
              "contract": "code",
              "doc": "The customer organisation, from the API key."
            },
            {
              "name": "source",
              "type": "string",
              "privacy": "none",
              "contract": "code",
              "doc": "The sending application, from the API key."
            },
            {
              "name": "session_id",
              "type": "string",
              "privacy": "low",
              "contract": "identifier",
              "doc": "Random session UUID; also the Kafka record key."
            },
            {
              "name": "anonymous_id",
              "type": [
                "null",
                "string"
              ],
              "default": null,
              "privacy": "medium",
              "subject": "anonymous",
              "contract": "identifier",
              "doc": "Device identifier (already hashed by the sender); stripped without analytics consent."
            },
            {
              "name": "user_id",
              "type": [
                "null",
                "string"
              ],
              "default": null,
              "privacy": "high",
              "subject": "user",
              "contract": "identifier",
              "doc": "The sender's user id; tokenized downstream, stripped without consent."
            },
            {
              "name": "consent",
              "privacy": "none",
              "type": {
                "type": "record",
                "name": "backbone.events.Consent",
                "doc": "Consent Mode v2 decisions as the sender knew them; null means not stated.",
                "fields": [
                  {
                    "name": "analytics",
                    "type": [
                      "null",
                      "boolean"
                    ],
                    "default": null,
                    "privacy": "none"
                  },
                  {
                    "name": "marketing",
                    "type": [
                      "null",
                      "boolean"
                    ],
                    "default": null,
                    "privacy": "none"
                  },
                  {
                    "name": "functional",
                    "type": [
                      "null",
                      "boolean"
                    ],
                    "default": null,
                    "privacy": "none"
                  },
                  {
                    "name": "gpc",
                    "type": "boolean",
                    "default": false,
                    "privacy": "none",
                    "doc": "The request carried Sec-GPC: 1 (Global Privacy Control)."
                  },
                  {
                    "name": "dnt",
                    "type": "boolean",
                    "default": false,
                    "privacy": "none",
                    "doc": "The request carried DNT: 1."
                  },
                  {
                    "name": "anonymized",
                    "type": "boolean",
                    "default": false,
                    "privacy": "none",
                    "doc": "The gateway stripped identifiers for lack of consent."
                  }
                ]
              }
            },
            {
              "name": "context",
              "privacy": "none",
              "type": {
                "type": "record",
                "name": "backbone.events.Context",
                "fields": [
                  {
                    "name": "ip",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "medium",
                    "subject": "linked",
                    "contract": "ip",
                    "doc": "Client IP (trusted proxies only); only raw.* topics hold it."
                  },
                  {
                    "name": "user_agent",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "medium",
                    "subject": "linked",
                    "contract": "free_text",
                    "doc": "Full user agent; reduced to device, browser and OS downstream."
                  },
                  {
                    "name": "locale",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "low",
                    "contract": "locale"
                  },
                  {
                    "name": "timezone",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "low",
                    "contract": "timezone"
                  },
                  {
                    "name": "page_url",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "low",
                    "contract": "url",
                    "doc": "Page the event happened on; query strings are cut to UTM parameters downstream."
                  },
                  {
                    "name": "referrer",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "low",
                    "contract": "url"
                  }
                ]
              }
            }
          ]
        },
        "privacy": "none",
        "doc": "Masked: anonymous_id and context.ip pseudonymized, user_id tokenized, user_agent removed."
      },
      {
        "name": "enrichment",
        "type": {
          "type": "record",
          "name": "backbone.events.Enrichment",
          "doc": "What the enrich worker derived from the raw event before masking it. Nothing here identifies a person.",
          "fields": [
            {
              "name": "device_type",
              "type": "string",
              "privacy": "none",
              "contract": "label",
              "doc": "desktop, mobile, tablet, tv, console, wearable, bot or other."
            },
            {
              "name": "browser",
              "type": "string",
              "privacy": "none",
              "contract": "label",
              "doc": "Browser name, or (unknown)."
            },
            {
              "name": "browser_major",
              "type": "string",
              "privacy": "none",
              "contract": "label",
              "doc": "Major version only: full versions help fingerprinting."
            },
            {
              "name": "os",
              "type": "string",
              "privacy": "none",
              "contract": "label"
            },
            {
              "name": "os_major",
              "type": "string",
              "privacy": "none",
              "contract": "label"
            },
            {
              "name": "is_bot",
              "type": "boolean",
              "privacy": "none"
            },
            {
              "name": "country",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "country",
              "default": null,
              "doc": "ISO 3166-1 alpha-2, from the truncated IP."
            },
            {
              "name": "region",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "label",
              "default": null,
              "doc": "Subdivision (state, region), from the truncated IP."
            },
            {
              "name": "page_host",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "host",
              "default": null
            },
            {
              "name": "page_path",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "free_text",
              "default": null,
              "doc": "Path only: query strings and fragments are dropped."
            },
            {
              "name": "utm_source",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "free_text",
              "default": null
            },
            {
              "name": "utm_medium",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "free_text",
              "default": null
            },
            {
              "name": "utm_campaign",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "free_text",
              "default": null
            },
            {
              "name": "utm_term",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "free_text",
              "default": null
            },
            {
              "name": "utm_content",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "free_text",
              "default": null
            },
            {
              "name": "referrer_host",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "host",
              "default": null,
              "doc": "Host of the referrer; its path and query are dropped."
            },
            {
              "name": "traffic_source",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "free_text",
              "default": null,
              "doc": "UTM source, search engine, social network, referring host, (internal) or (direct)."
            },
            {
              "name": "traffic_medium",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "free_text",
              "default": null,
              "doc": "UTM medium, organic, social, referral or (none)."
            },
            {
              "name": "text_policy",
              "type": [
                "null",
                "string"
              ],
              "privacy": "none",
              "contract": "code",
              "default": null,
              "doc": "For transcripts: drop (text removed) or redact (personal data replaced)."
            },
            {
              "name": "redactions",
              "type": "int",
              "privacy": "none",
              "default": 0,
              "doc": "Personal data items replaced in transcript text."
            },
            {
              "name": "enriched_at",
              "type": {
                "type": "long",
                "logicalType": "timestamp-millis"
              },
              "privacy": "none"
            }
          ]
        },
        "privacy": "none"
      },
      {
        "name": "payload",
        "type": [
          {
            "type": "record",
            "name": "backbone.events.stt.TranscriptionStarted",
            "doc": "event_type stt_transcription_started",
            "fields": [
              {
                "name": "model_id",
                "type": "string",
                "privacy": "none",
                "contract": "code"
              },
              {
                "name": "language",
                "type": [
                  "null",
                  "string"
                ],
                "default": null,
                "privacy": "none",
                "contract": "locale",
                "doc": "BCP 47 tag, if known before detection."
              }
            ]
          },
          {
            "type": "record",
            "name": "backbone.events.stt.TranscriptSegment",
            "doc": "event_type stt_partial_transcript (is_final false) or stt_transcription_completed (is_final true)",
            "fields": [
              {
                "name": "segment_id",
                "type": "string",
                "privacy": "none",
                "contract": "identifier"
              },
              {
                "name": "text",
                "type": [
                  "null",
                  "string"
                ],
                "default": null,
                "privacy": "critical",
                "subject": "linked",
                "contract": "free_text",
                "doc": "Spoken words: may hold health data, names, numbers."
              },
              {
                "name": "is_final",
                "type": "boolean",
                "privacy": "none"
              },
              {
                "name": "confidence",
                "type": "float",
                "privacy": "none",
                "doc": "0 to 1."
              },
              {
                "name": "start_ms",
                "type": "long",
                "privacy": "none",
                "doc": "Offset of the segment in the audio."
              },
              {
                "name": "end_ms",
                "type": "long",
                "privacy": "none"
              },
              {
                "name": "language",
                "type": [
                  "null",
                  "string"
                ],
                "default": null,
                "privacy": "none",
                "contract": "locale"
              },
              {
                "name": "speaker_id",
                "type": [
                  "null",
                  "string"
                ],
                "default": null,
                "privacy": "low",
                "contract": "identifier",
                "doc": "Diarization label such as spk_0, not a person."
              },
              {
                "name": "speaker_label",
                "type": [
                  "null",
                  "string"
                ],
                "default": null,
                "privacy": "high",
                "subject": "none",
                "contract": "identifier",
                "doc": "Display name for the speaker, which may be a real name."
              },
              {
                "name": "model_id",
                "type": "string",
                "privacy": "none",
                "contract": "code"
              },
              {
                "name": "processing_latency_ms",
                "type": "int",
                "privacy": "none"
              },
              {
                "name": "audio_duration_ms",
                "type": "int",
                "privacy": "none"
              },
              {
                "name": "word_count",
                "type": "int",
                "privacy": "none",
                "doc": "Counted by the sender, so it survives when text is dropped."
              }
            ]
          },
          {
            "type": "record",
            "name": "backbone.events.stt.LanguageDetected",
            "doc": "event_type stt_language_detected",
            "fields": [
              {
                "name": "language",
                "type": "string",
                "privacy": "none",
                "contract": "locale"
              },
              {
                "name": "confidence",
                "type": "float",
                "privacy": "none"
              }
            ]
          }
        ],
        "privacy": "none",
        "doc": "As received, masked by class (critical fields dropped unless a policy redacted them)."
      }
    ]
  },
  "stt.speaker": {
    "type": "record",
    "name": "backbone.events.stt.EnrichedSpeakerEvent",
    "doc": "The event store's form of stt-speaker events (events.* topics): the raw event enriched, then masked by privacy class. Identifiers are pseudonymized or tokenized, the client IP is a keyed hash, the full user agent is gone.",
    "fields": [
      {
        "name": "envelope",
        "type": {
          "type": "record",
          "name": "backbone.events.Envelope",
          "doc": "What every event carries, whatever its stream. received_at, tenant_id and source are set by the server, never by the sender.",
          "fields": [
            {
              "name": "event_id",
              "type": "string",
              "privacy": "none",
              "contract": "uuid",
              "doc": "UUID chosen by the sender; retries keep it, so it deduplicates."
            },
            {
              "name": "event_type",
              "type": "string",
              "privacy": "none",
              "contract": "code"
            },
            {
              "name": "occurred_at",
              "type": {
                "type": "long",
                "logicalType": "timestamp-millis"
              },
              "privacy": "none",
              "doc": "When it happened, by the sender's clock (clamped if far in the future)."
            },
            {
              "name": "received_at",
              "type": {
                "type": "long",
                "logicalType": "timestamp-millis"
              },
              "privacy": "none",
              "doc": "When the gateway accepted it."
            },
            {
              "name": "occurred_at_clamped",
              "type": "boolean",
              "default": false,
              "privacy": "none",
              "doc": "occurred_at lay too far in the future and was set to received_at."
            },
            {
              "name": "tenant_id",
              "type": "string",
              "privacy": "none",
              "contract": "code",
              "doc": "The customer organisation, from the API key."
            },
            {
              "name": "source",
              "type": "string",
              "privacy": "none",
              "contract": "code",
              "doc": "The sending application, from the API key."
            },
            {
              "name": "session_id",
              "type": "string",
              "privacy": "low",
              "contract": "identifier",
              "doc": "Random session UUID; also the Kafka record key."
            },
            {
              "name": "anonymous_id",
              "type": [
                "null",
                "string"
              ],
              "default": null,
              "privacy": "medium",
              "subject": "anonymous",
              "contract": "identifier",
              "doc": "Device identifier (already hashed by the sender); stripped without analytics consent."
            },
            {
              "name": "user_id",
              "type": [
                "null",
                "string"
              ],
              "default": null,
              "privacy": "high",
              "subject": "user",
              "contract": "identifier",
              "doc": "The sender's user id; tokenized downstream, stripped without consent."
            },
            {
              "name": "consent",
              "privacy": "none",
              "type": {
                "type": "record",
                "name": "backbone.events.Consent",
                "doc": "Consent Mode v2 decisions as the sender knew them; null means not stated.",
                "fields": [
                  {
                    "name": "analytics",
                    "type": [
                      "null",
                      "boolean"
                    ],
                    "default": null,
                    "privacy": "none"
                  },
                  {
                    "name": "marketing",
                    "type": [
                      "null",
                      "boolean"
                    ],
                    "default": null,
                    "privacy": "none"
                  },
                  {
                    "name": "functional",
                    "type": [
                      "null",
                      "boolean"
                    ],
                    "default": null,
                    "privacy": "none"
                  },
                  {
                    "name": "gpc",
                    "type": "boolean",
                    "default": false,
                    "privacy": "none",
                    "doc": "The request carried Sec-GPC: 1 (Global Privacy Control)."
                  },
                  {
                    "name": "dnt",
                    "type": "boolean",
                    "default": false,
                    "privacy": "none",
                    "doc": "The request carried DNT: 1."
                  },
                  {
                    "name": "anonymized",
                    "type": "boolean",
                    "default": false,
                    "privacy": "none",
                    "doc": "The gateway stripped identifiers for lack of consent."
                  }
                ]
              }
            },
            {
              "name": "context",
              "privacy": "none",
              "type": {
                "type": "record",
                "name": "backbone.events.Context",
                "fields": [
                  {
                    "name": "ip",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "medium",
                    "subject": "linked",
                    "contract": "ip",
                    "doc": "Client IP (trusted proxies only); only raw.* topics hold it."
                  },
                  {
                    "name": "user_agent",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "medium",
                    "subject": "linked",
                    "contract": "free_text",
                    "doc": "Full user agent; reduced to device, browser and OS downstream."
                  },
                  {
                    "name": "locale",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "low",
                    "contract": "locale"
                  },
                  {
                    "name": "timezone",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "low",
                    "contract": "timezone"
                  },
                  {
                    "name": "page_url",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "low",
                    "contract": "url",
                    "doc": "Page the event happened on; query strings are cut to UTM parameters downstream."
                  },
                  {
                    "name": "referrer",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "low",
                    "contract": "url"
                  }
                ]
              }
            }
          ]
        },
        "privacy": "none",
        "doc": "Masked: anonymous_id and context.ip pseudonymized, user_id tokenized, user_agent removed."
      },
      {
        "name": "enrichment",
        "type": {
          "type": "record",
          "name": "backbone.events.Enrichment",
          "doc": "What the enrich worker derived from the raw event before masking it. Nothing here identifies a person.",
          "fields": [
            {
              "name": "device_type",
              "type": "string",
              "privacy": "none",
              "contract": "label",
              "doc": "desktop, mobile, tablet, tv, console, wearable, bot or other."
            },
            {
              "name": "browser",
              "type": "string",
              "privacy": "none",
              "contract": "label",
              "doc": "Browser name, or (unknown)."
            },
            {
              "name": "browser_major",
              "type": "string",
              "privacy": "none",
              "contract": "label",
              "doc": "Major version only: full versions help fingerprinting."
            },
            {
              "name": "os",
              "type": "string",
              "privacy": "none",
              "contract": "label"
            },
            {
              "name": "os_major",
              "type": "string",
              "privacy": "none",
              "contract": "label"
            },
            {
              "name": "is_bot",
              "type": "boolean",
              "privacy": "none"
            },
            {
              "name": "country",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "country",
              "default": null,
              "doc": "ISO 3166-1 alpha-2, from the truncated IP."
            },
            {
              "name": "region",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "label",
              "default": null,
              "doc": "Subdivision (state, region), from the truncated IP."
            },
            {
              "name": "page_host",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "host",
              "default": null
            },
            {
              "name": "page_path",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "free_text",
              "default": null,
              "doc": "Path only: query strings and fragments are dropped."
            },
            {
              "name": "utm_source",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "free_text",
              "default": null
            },
            {
              "name": "utm_medium",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "free_text",
              "default": null
            },
            {
              "name": "utm_campaign",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "free_text",
              "default": null
            },
            {
              "name": "utm_term",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "free_text",
              "default": null
            },
            {
              "name": "utm_content",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "free_text",
              "default": null
            },
            {
              "name": "referrer_host",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "host",
              "default": null,
              "doc": "Host of the referrer; its path and query are dropped."
            },
            {
              "name": "traffic_source",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "free_text",
              "default": null,
              "doc": "UTM source, search engine, social network, referring host, (internal) or (direct)."
            },
            {
              "name": "traffic_medium",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "free_text",
              "default": null,
              "doc": "UTM medium, organic, social, referral or (none)."
            },
            {
              "name": "text_policy",
              "type": [
                "null",
                "string"
              ],
              "privacy": "none",
              "contract": "code",
              "default": null,
              "doc": "For transcripts: drop (text removed) or redact (personal data replaced)."
            },
            {
              "name": "redactions",
              "type": "int",
              "privacy": "none",
              "default": 0,
              "doc": "Personal data items replaced in transcript text."
            },
            {
              "name": "enriched_at",
              "type": {
                "type": "long",
                "logicalType": "timestamp-millis"
              },
              "privacy": "none"
            }
          ]
        },
        "privacy": "none"
      },
      {
        "name": "payload",
        "type": [
          {
            "type": "record",
            "name": "backbone.events.stt.SpeakerDetected",
            "doc": "event_type stt_speaker_detected",
            "fields": [
              {
                "name": "speaker_id",
                "type": "string",
                "privacy": "low",
                "contract": "identifier"
              },
              {
                "name": "speaker_label",
                "type": [
                  "null",
                  "string"
                ],
                "default": null,
                "privacy": "high",
                "subject": "none",
                "contract": "identifier"
              },
              {
                "name": "offset_ms",
                "type": "long",
                "privacy": "none"
              },
              {
                "name": "confidence",
                "type": "float",
                "privacy": "none"
              }
            ]
          },
          {
            "type": "record",
            "name": "backbone.events.stt.SpeakerChanged",
            "doc": "event_type stt_speaker_changed",
            "fields": [
              {
                "name": "from_speaker_id",
                "type": [
                  "null",
                  "string"
                ],
                "default": null,
                "privacy": "low",
                "contract": "identifier"
              },
              {
                "name": "to_speaker_id",
                "type": "string",
                "privacy": "low",
                "contract": "identifier"
              },
              {
                "name": "offset_ms",
                "type": "long",
                "privacy": "none"
              },
              {
                "name": "confidence",
                "type": "float",
                "privacy": "none"
              }
            ]
          }
        ],
        "privacy": "none",
        "doc": "As received, masked by class (critical fields dropped unless a policy redacted them)."
      }
    ]
  },
  "stt.session": {
    "type": "record",
    "name": "backbone.events.stt.EnrichedSessionEvent",
    "doc": "The event store's form of stt-session events (events.* topics): the raw event enriched, then masked by privacy class. Identifiers are pseudonymized or tokenized, the client IP is a keyed hash, the full user agent is gone.",
    "fields": [
      {
        "name": "envelope",
        "type": {
          "type": "record",
          "name": "backbone.events.Envelope",
          "doc": "What every event carries, whatever its stream. received_at, tenant_id and source are set by the server, never by the sender.",
          "fields": [
            {
              "name": "event_id",
              "type": "string",
              "privacy": "none",
              "contract": "uuid",
              "doc": "UUID chosen by the sender; retries keep it, so it deduplicates."
            },
            {
              "name": "event_type",
              "type": "string",
              "privacy": "none",
              "contract": "code"
            },
            {
              "name": "occurred_at",
              "type": {
                "type": "long",
                "logicalType": "timestamp-millis"
              },
              "privacy": "none",
              "doc": "When it happened, by the sender's clock (clamped if far in the future)."
            },
            {
              "name": "received_at",
              "type": {
                "type": "long",
                "logicalType": "timestamp-millis"
              },
              "privacy": "none",
              "doc": "When the gateway accepted it."
            },
            {
              "name": "occurred_at_clamped",
              "type": "boolean",
              "default": false,
              "privacy": "none",
              "doc": "occurred_at lay too far in the future and was set to received_at."
            },
            {
              "name": "tenant_id",
              "type": "string",
              "privacy": "none",
              "contract": "code",
              "doc": "The customer organisation, from the API key."
            },
            {
              "name": "source",
              "type": "string",
              "privacy": "none",
              "contract": "code",
              "doc": "The sending application, from the API key."
            },
            {
              "name": "session_id",
              "type": "string",
              "privacy": "low",
              "contract": "identifier",
              "doc": "Random session UUID; also the Kafka record key."
            },
            {
              "name": "anonymous_id",
              "type": [
                "null",
                "string"
              ],
              "default": null,
              "privacy": "medium",
              "subject": "anonymous",
              "contract": "identifier",
              "doc": "Device identifier (already hashed by the sender); stripped without analytics consent."
            },
            {
              "name": "user_id",
              "type": [
                "null",
                "string"
              ],
              "default": null,
              "privacy": "high",
              "subject": "user",
              "contract": "identifier",
              "doc": "The sender's user id; tokenized downstream, stripped without consent."
            },
            {
              "name": "consent",
              "privacy": "none",
              "type": {
                "type": "record",
                "name": "backbone.events.Consent",
                "doc": "Consent Mode v2 decisions as the sender knew them; null means not stated.",
                "fields": [
                  {
                    "name": "analytics",
                    "type": [
                      "null",
                      "boolean"
                    ],
                    "default": null,
                    "privacy": "none"
                  },
                  {
                    "name": "marketing",
                    "type": [
                      "null",
                      "boolean"
                    ],
                    "default": null,
                    "privacy": "none"
                  },
                  {
                    "name": "functional",
                    "type": [
                      "null",
                      "boolean"
                    ],
                    "default": null,
                    "privacy": "none"
                  },
                  {
                    "name": "gpc",
                    "type": "boolean",
                    "default": false,
                    "privacy": "none",
                    "doc": "The request carried Sec-GPC: 1 (Global Privacy Control)."
                  },
                  {
                    "name": "dnt",
                    "type": "boolean",
                    "default": false,
                    "privacy": "none",
                    "doc": "The request carried DNT: 1."
                  },
                  {
                    "name": "anonymized",
                    "type": "boolean",
                    "default": false,
                    "privacy": "none",
                    "doc": "The gateway stripped identifiers for lack of consent."
                  }
                ]
              }
            },
            {
              "name": "context",
              "privacy": "none",
              "type": {
                "type": "record",
                "name": "backbone.events.Context",
                "fields": [
                  {
                    "name": "ip",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "medium",
                    "subject": "linked",
                    "contract": "ip",
                    "doc": "Client IP (trusted proxies only); only raw.* topics hold it."
                  },
                  {
                    "name": "user_agent",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "medium",
                    "subject": "linked",
                    "contract": "free_text",
                    "doc": "Full user agent; reduced to device, browser and OS downstream."
                  },
                  {
                    "name": "locale",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "low",
                    "contract": "locale"
                  },
                  {
                    "name": "timezone",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "low",
                    "contract": "timezone"
                  },
                  {
                    "name": "page_url",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "low",
                    "contract": "url",
                    "doc": "Page the event happened on; query strings are cut to UTM parameters downstream."
                  },
                  {
                    "name": "referrer",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "low",
                    "contract": "url"
                  }
                ]
              }
            }
          ]
        },
        "privacy": "none",
        "doc": "Masked: anonymous_id and context.ip pseudonymized, user_id tokenized, user_agent removed."
      },
      {
        "name": "enrichment",
        "type": {
          "type": "record",
          "name": "backbone.events.Enrichment",
          "doc": "What the enrich worker derived from the raw event before masking it. Nothing here identifies a person.",
          "fields": [
            {
              "name": "device_type",
              "type": "string",
              "privacy": "none",
              "contract": "label",
              "doc": "desktop, mobile, tablet, tv, console, wearable, bot or other."
            },
            {
              "name": "browser",
              "type": "string",
              "privacy": "none",
              "contract": "label",
              "doc": "Browser name, or (unknown)."
            },
            {
              "name": "browser_major",
              "type": "string",
              "privacy": "none",
              "contract": "label",
              "doc": "Major version only: full versions help fingerprinting."
            },
            {
              "name": "os",
              "type": "string",
              "privacy": "none",
              "contract": "label"
            },
            {
              "name": "os_major",
              "type": "string",
              "privacy": "none",
              "contract": "label"
            },
            {
              "name": "is_bot",
              "type": "boolean",
              "privacy": "none"
            },
            {
              "name": "country",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "country",
              "default": null,
              "doc": "ISO 3166-1 alpha-2, from the truncated IP."
            },
            {
              "name": "region",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "label",
              "default": null,
              "doc": "Subdivision (state, region), from the truncated IP."
            },
            {
              "name": "page_host",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "host",
              "default": null
            },
            {
              "name": "page_path",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "free_text",
              "default": null,
              "doc": "Path only: query strings and fragments are dropped."
            },
            {
              "name": "utm_source",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "free_text",
              "default": null
            },
            {
              "name": "utm_medium",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "free_text",
              "default": null
            },
            {
              "name": "utm_campaign",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "free_text",
              "default": null
            },
            {
              "name": "utm_term",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "free_text",
              "default": null
            },
            {
              "name": "utm_content",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "free_text",
              "default": null
            },
            {
              "name": "referrer_host",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "host",
              "default": null,
              "doc": "Host of the referrer; its path and query are dropped."
            },
            {
              "name": "traffic_source",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "free_text",
              "default": null,
              "doc": "UTM source, search engine, social network, referring host, (internal) or (direct)."
            },
            {
              "name": "traffic_medium",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "free_text",
              "default": null,
              "doc": "UTM medium, organic, social, referral or (none)."
            },
            {
              "name": "text_policy",
              "type": [
                "null",
                "string"
              ],
              "privacy": "none",
              "contract": "code",
              "default": null,
              "doc": "For transcripts: drop (text removed) or redact (personal data replaced)."
            },
            {
              "name": "redactions",
              "type": "int",
              "privacy": "none",
              "default": 0,
              "doc": "Personal data items replaced in transcript text."
            },
            {
              "name": "enriched_at",
              "type": {
                "type": "long",
                "logicalType": "timestamp-millis"
              },
              "privacy": "none"
            }
          ]
        },
        "privacy": "none"
      },
      {
        "name": "payload",
        "type": [
          {
            "type": "record",
            "name": "backbone.events.stt.SessionStarted",
            "doc": "event_type stt_session_started",
            "fields": [
              {
                "name": "model_id",
                "type": "string",
                "privacy": "none",
                "contract": "code"
              },
              {
                "name": "language",
                "type": [
                  "null",
                  "string"
                ],
                "default": null,
                "privacy": "none",
                "contract": "locale"
              },
              {
                "name": "diarization",
                "type": "boolean",
                "privacy": "none"
              },
              {
                "name": "sample_rate_hz",
                "type": "int",
                "privacy": "none"
              },
              {
                "name": "bit_depth",
                "type": "int",
                "privacy": "none"
              },
              {
                "name": "channels",
                "type": "int",
                "default": 1,
                "privacy": "none"
              }
            ]
          },
          {
            "type": "record",
            "name": "backbone.events.stt.SessionCompleted",
            "doc": "event_type stt_session_completed",
            "fields": [
              {
                "name": "duration_ms",
                "type": "long",
                "privacy": "none"
              },
              {
                "name": "word_count",
                "type": "int",
                "privacy": "none"
              },
              {
                "name": "speaker_count",
                "type": "int",
                "privacy": "none"
              },
              {
                "name": "status",
                "type": {
                  "type": "enum",
                  "name": "backbone.events.stt.SessionStatus",
                  "symbols": [
                    "completed",
                    "cancelled",
                    "failed",
                    "timeout"
                  ]
                },
                "privacy": "none"
              }
            ]
          },
          {
            "type": "record",
            "name": "backbone.events.stt.SessionError",
            "doc": "event_type stt_error",
            "fields": [
              {
                "name": "code",
                "type": "string",
                "privacy": "none",
                "contract": "code"
              },
              {
                "name": "message",
                "type": "string",
                "privacy": "low",
                "contract": "free_text",
                "doc": "Technical message; never echo audio or transcript content here."
              },
              {
                "name": "retriable",
                "type": "boolean",
                "default": false,
                "privacy": "none"
              },
              {
                "name": "model_id",
                "type": [
                  "null",
                  "string"
                ],
                "default": null,
                "privacy": "none",
                "contract": "code",
                "doc": "The model that failed, when known: error rates by model and language."
              },
              {
                "name": "language",
                "type": [
                  "null",
                  "string"
                ],
                "default": null,
                "privacy": "none",
                "contract": "locale"
              }
            ]
          },
          {
            "type": "record",
            "name": "backbone.events.stt.QualityAssessment",
            "doc": "event_type stt_quality_assessment",
            "fields": [
              {
                "name": "avg_confidence",
                "type": "float",
                "privacy": "none"
              },
              {
                "name": "processing_latency_ms",
                "type": "int",
                "privacy": "none"
              },
              {
                "name": "real_time_factor",
                "type": "float",
                "privacy": "none",
                "doc": "Processing time / audio duration."
              },
              {
                "name": "word_accuracy",
                "type": [
                  "null",
                  "float"
                ],
                "default": null,
                "privacy": "none"
              },
              {
                "name": "language_confidence",
                "type": [
                  "null",
                  "float"
                ],
                "default": null,
                "privacy": "none"
              },
              {
                "name": "noise_level_db",
                "type": [
                  "null",
                  "float"
                ],
                "default": null,
                "privacy": "none"
              },
              {
                "name": "speech_ratio",
                "type": [
                  "null",
                  "float"
                ],
                "default": null,
                "privacy": "none",
                "doc": "Speech to silence, 0 to 1."
              },
              {
                "name": "clipping_detected",
                "type": [
                  "null",
                  "boolean"
                ],
                "default": null,
                "privacy": "none"
              },
              {
                "name": "sample_rate_hz",
                "type": [
                  "null",
                  "int"
                ],
                "default": null,
                "privacy": "none"
              },
              {
                "name": "bit_depth",
                "type": [
                  "null",
                  "int"
                ],
                "default": null,
                "privacy": "none"
              }
            ]
          }
        ],
        "privacy": "none",
        "doc": "As received, masked by class (critical fields dropped unless a policy redacted them)."
      }
    ]
  },
  "consent": {
    "type": "record",
    "name": "backbone.events.consent.EnrichedConsentEvent",
    "doc": "The event store's form of consent decisions (events.* topics): the subject's ids tokenized with the subject's key, the client IP a keyed hash, the full user agent gone.",
    "fields": [
      {
        "name": "envelope",
        "type": {
          "type": "record",
          "name": "backbone.events.Envelope",
          "doc": "What every event carries, whatever its stream. received_at, tenant_id and source are set by the server, never by the sender.",
          "fields": [
            {
              "name": "event_id",
              "type": "string",
              "privacy": "none",
              "contract": "uuid",
              "doc": "UUID chosen by the sender; retries keep it, so it deduplicates."
            },
            {
              "name": "event_type",
              "type": "string",
              "privacy": "none",
              "contract": "code"
            },
            {
              "name": "occurred_at",
              "type": {
                "type": "long",
                "logicalType": "timestamp-millis"
              },
              "privacy": "none",
              "doc": "When it happened, by the sender's clock (clamped if far in the future)."
            },
            {
              "name": "received_at",
              "type": {
                "type": "long",
                "logicalType": "timestamp-millis"
              },
              "privacy": "none",
              "doc": "When the gateway accepted it."
            },
            {
              "name": "occurred_at_clamped",
              "type": "boolean",
              "default": false,
              "privacy": "none",
              "doc": "occurred_at lay too far in the future and was set to received_at."
            },
            {
              "name": "tenant_id",
              "type": "string",
              "privacy": "none",
              "contract": "code",
              "doc": "The customer organisation, from the API key."
            },
            {
              "name": "source",
              "type": "string",
              "privacy": "none",
              "contract": "code",
              "doc": "The sending application, from the API key."
            },
            {
              "name": "session_id",
              "type": "string",
              "privacy": "low",
              "contract": "identifier",
              "doc": "Random session UUID; also the Kafka record key."
            },
            {
              "name": "anonymous_id",
              "type": [
                "null",
                "string"
              ],
              "default": null,
              "privacy": "medium",
              "subject": "anonymous",
              "contract": "identifier",
              "doc": "Device identifier (already hashed by the sender); stripped without analytics consent."
            },
            {
              "name": "user_id",
              "type": [
                "null",
                "string"
              ],
              "default": null,
              "privacy": "high",
              "subject": "user",
              "contract": "identifier",
              "doc": "The sender's user id; tokenized downstream, stripped without consent."
            },
            {
              "name": "consent",
              "privacy": "none",
              "type": {
                "type": "record",
                "name": "backbone.events.Consent",
                "doc": "Consent Mode v2 decisions as the sender knew them; null means not stated.",
                "fields": [
                  {
                    "name": "analytics",
                    "type": [
                      "null",
                      "boolean"
                    ],
                    "default": null,
                    "privacy": "none"
                  },
                  {
                    "name": "marketing",
                    "type": [
                      "null",
                      "boolean"
                    ],
                    "default": null,
                    "privacy": "none"
                  },
                  {
                    "name": "functional",
                    "type": [
                      "null",
                      "boolean"
                    ],
                    "default": null,
                    "privacy": "none"
                  },
                  {
                    "name": "gpc",
                    "type": "boolean",
                    "default": false,
                    "privacy": "none",
                    "doc": "The request carried Sec-GPC: 1 (Global Privacy Control)."
                  },
                  {
                    "name": "dnt",
                    "type": "boolean",
                    "default": false,
                    "privacy": "none",
                    "doc": "The request carried DNT: 1."
                  },
                  {
                    "name": "anonymized",
                    "type": "boolean",
                    "default": false,
                    "privacy": "none",
                    "doc": "The gateway stripped identifiers for lack of consent."
                  }
                ]
              }
            },
            {
              "name": "context",
              "privacy": "none",
              "type": {
                "type": "record",
                "name": "backbone.events.Context",
                "fields": [
                  {
                    "name": "ip",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "medium",
                    "subject": "linked",
                    "contract": "ip",
                    "doc": "Client IP (trusted proxies only); only raw.* topics hold it."
                  },
                  {
                    "name": "user_agent",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "medium",
                    "subject": "linked",
                    "contract": "free_text",
                    "doc": "Full user agent; reduced to device, browser and OS downstream."
                  },
                  {
                    "name": "locale",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "low",
                    "contract": "locale"
                  },
                  {
                    "name": "timezone",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "low",
                    "contract": "timezone"
                  },
                  {
                    "name": "page_url",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "low",
                    "contract": "url",
                    "doc": "Page the event happened on; query strings are cut to UTM parameters downstream."
                  },
                  {
                    "name": "referrer",
                    "type": [
                      "null",
                      "string"
                    ],
                    "default": null,
                    "privacy": "low",
                    "contract": "url"
                  }
                ]
              }
            }
          ]
        },
        "privacy": "none",
        "doc": "Masked: anonymous_id and context.ip pseudonymized, user_id tokenized, user_agent removed."
      },
      {
        "name": "enrichment",
        "type": {
          "type": "record",
          "name": "backbone.events.Enrichment",
          "doc": "What the enrich worker derived from the raw event before masking it. Nothing here identifies a person.",
          "fields": [
            {
              "name": "device_type",
              "type": "string",
              "privacy": "none",
              "contract": "label",
              "doc": "desktop, mobile, tablet, tv, console, wearable, bot or other."
            },
            {
              "name": "browser",
              "type": "string",
              "privacy": "none",
              "contract": "label",
              "doc": "Browser name, or (unknown)."
            },
            {
              "name": "browser_major",
              "type": "string",
              "privacy": "none",
              "contract": "label",
              "doc": "Major version only: full versions help fingerprinting."
            },
            {
              "name": "os",
              "type": "string",
              "privacy": "none",
              "contract": "label"
            },
            {
              "name": "os_major",
              "type": "string",
              "privacy": "none",
              "contract": "label"
            },
            {
              "name": "is_bot",
              "type": "boolean",
              "privacy": "none"
            },
            {
              "name": "country",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "country",
              "default": null,
              "doc": "ISO 3166-1 alpha-2, from the truncated IP."
            },
            {
              "name": "region",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "label",
              "default": null,
              "doc": "Subdivision (state, region), from the truncated IP."
            },
            {
              "name": "page_host",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "host",
              "default": null
            },
            {
              "name": "page_path",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "free_text",
              "default": null,
              "doc": "Path only: query strings and fragments are dropped."
            },
            {
              "name": "utm_source",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "free_text",
              "default": null
            },
            {
              "name": "utm_medium",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "free_text",
              "default": null
            },
            {
              "name": "utm_campaign",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "free_text",
              "default": null
            },
            {
              "name": "utm_term",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "free_text",
              "default": null
            },
            {
              "name": "utm_content",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "free_text",
              "default": null
            },
            {
              "name": "referrer_host",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "host",
              "default": null,
              "doc": "Host of the referrer; its path and query are dropped."
            },
            {
              "name": "traffic_source",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "free_text",
              "default": null,
              "doc": "UTM source, search engine, social network, referring host, (internal) or (direct)."
            },
            {
              "name": "traffic_medium",
              "type": [
                "null",
                "string"
              ],
              "privacy": "low",
              "contract": "free_text",
              "default": null,
              "doc": "UTM medium, organic, social, referral or (none)."
            },
            {
              "name": "text_policy",
              "type": [
                "null",
                "string"
              ],
              "privacy": "none",
              "contract": "code",
              "default": null,
              "doc": "For transcripts: drop (text removed) or redact (personal data replaced)."
            },
            {
              "name": "redactions",
              "type": "int",
              "privacy": "none",
              "default": 0,
              "doc": "Personal data items replaced in transcript text."
            },
            {
              "name": "enriched_at",
              "type": {
                "type": "long",
                "logicalType": "timestamp-millis"
              },
              "privacy": "none"
            }
          ]
        },
        "privacy": "none"
      },
      {
        "name": "payload",
        "type": [
          {
            "type": "record",
            "name": "backbone.events.consent.ConsentDecision",
            "doc": "event_type consent_decision: true granted, false refused or withdrawn, null not part of this decision.",
            "fields": [
              {
                "name": "analytics",
                "type": [
                  "null",
                  "boolean"
                ],
                "default": null,
                "privacy": "none"
              },
              {
                "name": "marketing",
                "type": [
                  "null",
                  "boolean"
                ],
                "default": null,
                "privacy": "none"
              },
              {
                "name": "functional",
                "type": [
                  "null",
                  "boolean"
                ],
                "default": null,
                "privacy": "none"
              },
              {
                "name": "text_version",
                "type": [
                  "null",
                  "string"
                ],
                "default": null,
                "privacy": "none",
                "contract": "code",
                "doc": "The version of the consent text the person saw, as the site names it."
              },
              {
                "name": "text_sha256",
                "type": [
                  "null",
                  "string"
                ],
                "default": null,
                "privacy": "none",
                "contract": "code",
                "doc": "SHA-256 (hex) of the exact consent text the person saw; the gateway computes it when sent the text."
              },
              {
                "name": "method",
                "type": "string",
                "privacy": "none",
                "contract": "code",
                "doc": "How the decision was made: banner, settings, api, gpc, import … (a code the site chooses)."
              }
            ]
          },
          {
            "type": "record",
            "name": "backbone.events.consent.ConsentRequested",
            "doc": "event_type consent_requested: the consent text was put to the person (a banner shown), so a decision can be matched to what was asked and consent rates measured.",
            "fields": [
              {
                "name": "text_version",
                "type": [
                  "null",
                  "string"
                ],
                "default": null,
                "privacy": "none",
                "contract": "code"
              },
              {
                "name": "text_sha256",
                "type": [
                  "null",
                  "string"
                ],
                "default": null,
                "privacy": "none",
                "contract": "code"
              },
              {
                "name": "method",
                "type": "string",
                "privacy": "none",
                "contract": "code"
              }
            ]
          }
        ],
        "privacy": "none",
        "doc": "As received."
      }
    ]
  }
} as const;
