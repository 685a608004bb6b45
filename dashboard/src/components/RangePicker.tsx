import { PRESETS, presetRange, type Granularity, type Range } from '../range';

const local = (iso: string) => iso.slice(0, 16);

/** Presets or a custom range (UTC), and the granularity of charts. */
export function RangePicker(props: { value: Range; onChange: (r: Range) => void }) {
  const { value, onChange } = props;
  return (
    <div className="range" data-testid="range-picker">
      <select
        aria-label="Time range"
        value={value.preset}
        onChange={(e) =>
          onChange(
            e.target.value === 'custom'
              ? { ...value, preset: 'custom' }
              : presetRange(e.target.value),
          )
        }
      >
        {Object.entries(PRESETS).map(([k, p]) => (
          <option key={k} value={k}>
            {p.label}
          </option>
        ))}
        <option value="custom">Custom (UTC)</option>
      </select>
      {value.preset === 'custom' && (
        <>
          <input
            aria-label="Start"
            type="datetime-local"
            value={local(value.start)}
            onChange={(e) =>
              e.target.value && onChange({ ...value, start: `${e.target.value}:00.000Z` })
            }
          />
          <input
            aria-label="End"
            type="datetime-local"
            value={local(value.end)}
            onChange={(e) =>
              e.target.value && onChange({ ...value, end: `${e.target.value}:00.000Z` })
            }
          />
        </>
      )}
      <select
        aria-label="Granularity"
        value={value.granularity}
        onChange={(e) => onChange({ ...value, granularity: e.target.value as Granularity })}
      >
        {['HOUR', 'DAY', 'WEEK', 'MONTH'].map((g) => (
          <option key={g} value={g}>
            {g.toLowerCase()}
          </option>
        ))}
      </select>
    </div>
  );
}
