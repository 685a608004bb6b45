/**
 * The overview's segment: the source, device type, country and landing page of sessions,
 * any combination (the service's WebFilter). Set by clicking a slice, a bar or a page.
 */
export interface WebFilter {
  source?: string;
  deviceType?: string;
  country?: string;
  landingPage?: string;
}

const LABELS: Record<keyof WebFilter, string> = {
  source: 'Source',
  deviceType: 'Device',
  country: 'Country',
  landingPage: 'Landing page',
};

/** A filter's value for a chart label: the charts show "unknown" where the value is empty. */
export const valueOf = (label: string) => (label === 'unknown' ? '' : label);

export function Filters(props: { value: WebFilter; onChange: (f: WebFilter) => void }) {
  const set = Object.entries(props.value).filter(([, v]) => v !== undefined) as [
    keyof WebFilter,
    string,
  ][];
  return (
    <div className="filters wide" data-testid="filters">
      {set.length === 0 ? (
        <span className="hint">
          Click a source, device, country or page to see only those sessions.
        </span>
      ) : (
        <>
          <span className="hint">Sessions with</span>
          {set.map(([key, v]) => (
            <span key={key} className="chip filter" data-testid={`filter-${key}`}>
              {LABELS[key]}: {v || 'unknown'}
              <button
                aria-label={`Remove the ${LABELS[key].toLowerCase()} filter`}
                onClick={() => props.onChange({ ...props.value, [key]: undefined })}
              >
                ×
              </button>
            </span>
          ))}
          <button className="link" onClick={() => props.onChange({})}>
            Clear filters
          </button>
        </>
      )}
    </div>
  );
}
