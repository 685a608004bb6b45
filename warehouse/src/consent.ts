/** The purposes a consent decision grants or refuses (columns of consent_events). */
export const CONSENT_PURPOSES = ['analytics', 'marketing', 'functional'] as const;

/**
 * A person's latest decision per purpose, over their consent_decision rows, by the gateway's
 * clock (the order in which decisions took effect there): the aggregates of `consent_latest`
 * and of the query service's consent answer. They read consent_events as `e` (`FROM … AS e`):
 * their aliases are the columns' names, which ClickHouse would otherwise read as the aliases.
 */
export const CONSENT_LATEST: readonly string[] = [
  ...CONSENT_PURPOSES.flatMap((p) => [
    `argMaxIf(e.${p}, e.received_at, e.${p} IS NOT NULL) AS ${p}`,
    `maxIf(e.received_at, e.${p} IS NOT NULL) AS ${p}_at`,
  ]),
  'argMax(e.text_version, e.received_at) AS text_version',
  'argMax(e.text_sha256, e.received_at) AS text_sha256',
  'argMax(e.method, e.received_at) AS method',
  'max(e.received_at) AS decided_at',
  'count() AS decisions',
];
