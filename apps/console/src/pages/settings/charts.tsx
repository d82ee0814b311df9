/** Hand-written SVG charts of the usage page: each says its numbers to a screen reader too. */

/** How a number reads here: 1234567 → 1,234,567. */
export const fmt = (n: number) => n.toLocaleString('en-US');

/**
 * Used against a limit as a horizontal bar. A null limit is no limit: the bar is empty and says so.
 * role="img" with an aria-label carrying the numbers; the words beside it say them as well.
 */
export function QuotaBar({ label, used, limit }: { label: string; used: number; limit: number | null }) {
  const share = limit === null ? 0 : limit === 0 ? 1 : Math.min(1, used / limit);
  const level = limit === null ? 'none' : share >= 1 ? 'full' : share >= 0.8 ? 'high' : 'ok';
  const words = limit === null ? `${fmt(used)} used, no limit` : `${fmt(used)} of ${fmt(limit)} used (${Math.round(share * 100)}%)`;
  return (
    <div className="quota-bar" data-quota={label}>
      <div className="row">
        <strong>{label}</strong>
        <span className="spacer" />
        <span className="muted small">{words}</span>
      </div>
      <svg viewBox="0 0 100 6" preserveAspectRatio="none" role="img" aria-label={`${label}: ${words}`} className={`gauge level-${level}`}>
        <rect x="0" y="0" width="100" height="6" rx="1.5" className="gauge-track" />
        <rect x="0" y="0" width={Math.max(share * 100, used > 0 ? 0.8 : 0)} height="6" rx="1.5" className="gauge-fill" />
      </svg>
    </div>
  );
}

export interface Series {
  name: string;
  /** a CSS class giving the bars their colour (and the legend's swatch) */
  className: string;
  values: number[];
}

/**
 * Values per day as bars (stacked when several series), with the scale's top, the first and last
 * day, a <title> and <desc>, and the same numbers as a visually hidden table.
 */
export function DayBars({ id, title, days, series, unit }: { id: string; title: string; days: string[]; series: Series[]; unit: string }) {
  const W = 600;
  const H = 160;
  const PAD = { top: 12, right: 8, bottom: 22, left: 44 };
  const totals = days.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const slot = innerW / Math.max(1, days.length);
  const barW = Math.max(1, slot * 0.7);
  const y = (v: number) => (v / max) * innerH;
  const total = totals.reduce((a, b) => a + b, 0);
  const busiest = totals.indexOf(Math.max(...totals));
  const desc =
    total === 0
      ? `No ${unit} from ${days[0]} to ${days.at(-1)}.`
      : `${fmt(total)} ${unit} from ${days[0]} to ${days.at(-1)}; the most on ${days[busiest]} (${fmt(totals[busiest] ?? 0)}).`;

  return (
    <figure className="day-chart" data-chart={id}>
      <figcaption>
        <strong>{title}</strong>
        {series.length > 1 && (
          <span className="legend">
            {series.map((s) => (
              <span key={s.name} className="legend-item">
                <span className={`swatch ${s.className}`} aria-hidden="true" />
                {s.name}
              </span>
            ))}
          </span>
        )}
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-title ${id}-desc`} className="bars">
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{desc}</desc>
        <line x1={PAD.left} x2={W - PAD.right} y1={PAD.top + innerH} y2={PAD.top + innerH} className="axis" />
        <line x1={PAD.left} x2={W - PAD.right} y1={PAD.top} y2={PAD.top} className="grid" />
        <text x={PAD.left - 6} y={PAD.top + 4} textAnchor="end" className="tick">
          {compact(max)}
        </text>
        <text x={PAD.left - 6} y={PAD.top + innerH} textAnchor="end" className="tick">
          0
        </text>
        {days.map((d, i) => {
          let base = PAD.top + innerH;
          return (
            <g key={d} data-day={d}>
              {series.map((s) => {
                const v = s.values[i] ?? 0;
                const h = y(v);
                base -= h;
                return v > 0 ? <rect key={s.name} className={`bar ${s.className}`} x={PAD.left + i * slot + (slot - barW) / 2} y={base} width={barW} height={h} data-value={v} /> : null;
              })}
            </g>
          );
        })}
        <text x={PAD.left} y={H - 6} className="tick">
          {days[0]}
        </text>
        <text x={W - PAD.right} y={H - 6} textAnchor="end" className="tick">
          {days.at(-1)}
        </text>
      </svg>
      <table className="visually-hidden">
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">Day (UTC)</th>
            {series.map((s) => (
              <th key={s.name} scope="col">
                {s.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {days.map((d, i) => (
            <tr key={d}>
              <th scope="row">{d}</th>
              {series.map((s) => (
                <td key={s.name}>{s.values[i] ?? 0}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

/** 1234 → 1.2k, 3400000 → 3.4M: the scale's top label. */
function compact(n: number): string {
  if (n >= 1e9) return `${+(n / 1e9).toFixed(1)}G`;
  if (n >= 1e6) return `${+(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${+(n / 1e3).toFixed(1)}k`;
  return String(n);
}
