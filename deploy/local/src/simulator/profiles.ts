/**
 * What simulated visitors and speech sessions look like: real user-agent strings, client IPs
 * from address ranges that the geo database places in the named countries, a site of about
 * fifty pages, traffic sources, and STT models with their own quality and speed.
 */
export const SITE = 'https://shop.example';

export const PAGES: readonly string[] = [
  '/',
  '/pricing',
  '/features',
  '/features/analytics',
  '/features/speech',
  '/features/privacy',
  '/features/integrations',
  '/customers',
  '/customers/northwind-health',
  '/customers/contoso-clinic',
  '/about',
  '/careers',
  '/contact',
  '/security',
  '/docs',
  '/docs/getting-started',
  '/docs/ingest-api',
  '/docs/sdk/browser',
  '/docs/sdk/node',
  '/docs/replay',
  '/docs/sql',
  '/docs/dashboards',
  '/docs/privacy-classes',
  '/docs/stt-events',
  '/blog',
  '/blog/event-sourcing-on-kafka',
  '/blog/clickhouse-rollups',
  '/blog/hipaa-and-voice-data',
  '/blog/exactly-once-sinks',
  '/blog/speaker-diarization',
  '/blog/real-time-factor-explained',
  '/blog/consent-mode-v2',
  '/changelog',
  '/status',
  '/signup',
  '/login',
  '/demo',
  '/webinars/voice-analytics',
  '/compare/posthog',
  '/compare/snowplow',
  '/compare/jitsu',
  '/partners',
  '/legal/privacy',
  '/legal/terms',
  '/legal/dpa',
  '/cart',
  '/checkout',
  '/checkout/complete',
  '/plans/team',
  '/plans/enterprise',
];

/** Where sessions land first, and what tends to come next. */
export const LANDINGS: readonly (readonly [string, number])[] = [
  ['/', 30],
  ['/pricing', 10],
  ['/blog/event-sourcing-on-kafka', 6],
  ['/blog/clickhouse-rollups', 5],
  ['/blog/hipaa-and-voice-data', 5],
  ['/docs/getting-started', 6],
  ['/features/speech', 5],
  ['/compare/posthog', 4],
  ['/docs', 4],
  ['/features', 4],
  ['/demo', 3],
  ['/blog/speaker-diarization', 3],
  ['/customers', 2],
  ['/webinars/voice-analytics', 2],
];

export interface SourceProfile {
  name: string;
  referrer: string | null;
  /** UTM tags added to the landing URL. */
  utm?: { source: string; medium: string; campaign?: string };
}

export const SOURCES: readonly (readonly [SourceProfile, number])[] = [
  [{ name: 'google', referrer: 'https://www.google.com/' }, 38],
  [{ name: 'direct', referrer: null }, 25],
  [{ name: 'bing', referrer: 'https://www.bing.com/' }, 5],
  [{ name: 'duckduckgo', referrer: 'https://duckduckgo.com/' }, 3],
  [
    {
      name: 'newsletter',
      referrer: null,
      utm: { source: 'newsletter', medium: 'email', campaign: 'november-digest' },
    },
    8,
  ],
  [{ name: 'linkedin', referrer: 'https://www.linkedin.com/' }, 6],
  [{ name: 'twitter', referrer: 'https://t.co/' }, 4],
  [{ name: 'hn', referrer: 'https://news.ycombinator.com/' }, 4],
  [
    {
      name: 'ads',
      referrer: 'https://www.google.com/',
      utm: { source: 'google', medium: 'cpc', campaign: 'voice-analytics' },
    },
    7,
  ],
];

/** Real user-agent strings, weighted roughly as a B2B site sees them. */
export const USER_AGENTS: readonly (readonly [string, number])[] = [
  [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    30,
  ],
  [
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
    14,
  ],
  [
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    12,
  ],
  [
    'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
    14,
  ],
  [
    'Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
    9,
  ],
  [
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
    8,
  ],
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0', 5],
  ['Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0', 3],
  [
    'Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
    3,
  ],
  [
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
    2,
  ],
];

/** Client IPs whose /24 the bundled DB-IP Lite database places in these countries. */
export const CLIENT_IPS: readonly (readonly [
  { ip: string; country: string; locale: string; timezone: string },
  number,
])[] = [
  [{ ip: '8.8.8.', country: 'US', locale: 'en-US', timezone: 'America/Los_Angeles' }, 22],
  [{ ip: '185.15.56.', country: 'US', locale: 'en-US', timezone: 'America/New_York' }, 12],
  [{ ip: '81.2.69.', country: 'GB', locale: 'en-GB', timezone: 'Europe/London' }, 10],
  [{ ip: '212.58.244.', country: 'GB', locale: 'en-GB', timezone: 'Europe/London' }, 4],
  [{ ip: '85.214.132.', country: 'DE', locale: 'de-DE', timezone: 'Europe/Berlin' }, 8],
  [{ ip: '5.9.10.', country: 'DE', locale: 'de-DE', timezone: 'Europe/Berlin' }, 4],
  [{ ip: '62.210.16.', country: 'FR', locale: 'fr-FR', timezone: 'Europe/Paris' }, 6],
  [{ ip: '24.48.0.', country: 'CA', locale: 'en-CA', timezone: 'America/Toronto' }, 5],
  [{ ip: '1.1.1.', country: 'AU', locale: 'en-AU', timezone: 'Australia/Sydney' }, 4],
  [{ ip: '133.11.0.', country: 'JP', locale: 'ja-JP', timezone: 'Asia/Tokyo' }, 4],
  [{ ip: '200.147.67.', country: 'BR', locale: 'pt-BR', timezone: 'America/Sao_Paulo' }, 4],
  [{ ip: '49.44.1.', country: 'IN', locale: 'en-IN', timezone: 'Asia/Kolkata' }, 5],
  [{ ip: '193.205.1.', country: 'IT', locale: 'it-IT', timezone: 'Europe/Rome' }, 3],
  [{ ip: '80.58.0.', country: 'ES', locale: 'es-ES', timezone: 'Europe/Madrid' }, 3],
  [{ ip: '130.244.0.', country: 'SE', locale: 'sv-SE', timezone: 'Europe/Stockholm' }, 2],
  [{ ip: '190.0.0.', country: 'CO', locale: 'es-CO', timezone: 'America/Bogota' }, 2],
  [{ ip: '41.203.64.', country: 'NG', locale: 'en-NG', timezone: 'Africa/Lagos' }, 2],
];

export interface ModelProfile {
  id: string;
  /** Mean segment confidence and its spread. */
  confidence: [number, number];
  /** Median processing latency per segment (ms) and log spread. */
  latencyMs: [number, number];
  /** Median real-time factor (processing time / audio time). */
  rtf: [number, number];
  /** Chance that a session fails with an error. */
  errorRate: number;
}

export const MODELS: readonly (readonly [ModelProfile, number])[] = [
  [
    {
      id: 'whisper-large-v3',
      confidence: [0.91, 0.05],
      latencyMs: [420, 0.35],
      rtf: [0.18, 0.3],
      errorRate: 0.02,
    },
    45,
  ],
  [
    {
      id: 'whisper-small',
      confidence: [0.84, 0.07],
      latencyMs: [160, 0.3],
      rtf: [0.06, 0.3],
      errorRate: 0.03,
    },
    30,
  ],
  [
    {
      id: 'conformer-med',
      confidence: [0.88, 0.06],
      latencyMs: [90, 0.25],
      rtf: [0.04, 0.25],
      errorRate: 0.05,
    },
    25,
  ],
];

/** Languages, and how much each lowers confidence. */
export const LANGUAGES: readonly (readonly [{ code: string; penalty: number }, number])[] = [
  [{ code: 'en', penalty: 0 }, 55],
  [{ code: 'de', penalty: 0.03 }, 15],
  [{ code: 'es', penalty: 0.02 }, 15],
  [{ code: 'fr', penalty: 0.03 }, 10],
  [{ code: 'nl', penalty: 0.06 }, 5],
];

export const STT_ERRORS: readonly (readonly [
  { code: string; message: string; retriable: boolean },
  number,
])[] = [
  [{ code: 'AUDIO_DROPOUT', message: 'audio stream stalled for 5 s', retriable: true }, 5],
  [{ code: 'DECODER_TIMEOUT', message: 'decoder did not answer in time', retriable: true }, 3],
  [{ code: 'UNSUPPORTED_CODEC', message: 'codec not supported', retriable: false }, 1],
];

/**
 * Clinical phrases for transcript segments. Some carry personal data (an email, a phone
 * number, a card, an SSN) so that the enrich worker's redaction can be seen at work.
 */
export const PHRASES: readonly string[] = [
  'thanks for calling the clinic how can I help you today',
  'I would like to move my appointment to next week',
  'the patient reports mild headaches in the morning',
  'blood pressure was one thirty over eighty five',
  'please continue the current dosage for two more weeks',
  'we will send the lab results to your portal',
  'any allergies to medication we should know about',
  'the follow up is scheduled for Thursday at ten',
  'can you confirm your date of birth for me',
  'I will transfer you to the billing department',
];

export const PHRASES_WITH_PII: readonly string[] = [
  'you can reach me at jane.doe@example.com any time',
  'my callback number is 415 555 0134',
  'the card on file is 4111 1111 1111 1111',
  'my social security number is 123-45-6789',
  'email the referral to dr.smith@clinic.example please',
];
