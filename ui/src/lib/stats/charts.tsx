import { barLength, niceScale } from './model';

/** One bar: what it stands for, in words, and its value. */
export interface ChartItem {
  label: string;
  value: number;
  /** The value in words, when a number alone would not say it (e.g. a wait). */
  text?: string;
}

// The column chart's drawing, in SVG units: it scales with its box.
const plotHeight = 160;
const top = 20;
const axisWidth = 36;
const column = 44;
const labelHeight = 28;

/**
 * ColumnChart draws values over time (e.g. drinks per hour) as columns, with
 * a value axis and each column's value written above it. The drawing is for
 * the eye only; screen readers get the same figures as a table.
 */
export function ColumnChart({ id, title, items, valueHeading }: { id: string; title: string; items: ChartItem[]; valueHeading: string }) {
  const scale = niceScale(Math.max(0, ...items.map((i) => i.value)));
  const width = axisWidth + Math.max(4, items.length) * column + 8;
  const height = top + plotHeight + labelHeight;
  const y = (v: number) => top + plotHeight - (v / scale.max) * plotHeight;
  return (
    <figure class="chart" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`} class="chart-title">
        {title}
      </figcaption>
      <svg class="column-chart" viewBox={`0 0 ${width} ${height}`} aria-hidden="true" focusable="false">
        {scale.ticks.map((tick) => (
          <g key={tick}>
            <line class="chart-grid" x1={axisWidth} x2={width} y1={y(tick)} y2={y(tick)} />
            <text class="chart-axis" x={axisWidth - 6} y={y(tick) + 4} text-anchor="end">
              {tick}
            </text>
          </g>
        ))}
        {items.map((item, i) => {
          const h = barLength(item.value, scale, plotHeight);
          const x = axisWidth + i * column + 6;
          return (
            <g key={item.label}>
              <rect class="chart-bar" x={x} y={top + plotHeight - h} width={column - 12} height={h} rx={3} />
              {item.value > 0 && (
                <text class="chart-value" x={x + (column - 12) / 2} y={top + plotHeight - h - 5} text-anchor="middle">
                  {item.value}
                </text>
              )}
              <text class="chart-label" x={x + (column - 12) / 2} y={top + plotHeight + 18} text-anchor="middle">
                {item.label}
              </text>
            </g>
          );
        })}
      </svg>
      <table class="visually-hidden">
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">{valueHeading}</th>
            <th scope="col">{title}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr key={item.label}>
              <th scope="row">{item.label}</th>
              <td>{item.text ?? item.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

/**
 * BarTable lists named values (top drinks, refusals by reason) as a table
 * whose last column draws each value as a bar: the table is the text, the
 * bars are for the eye.
 */
export function BarTable({ id, title, items, nameHeading, valueHeading, empty }: {
  id: string;
  title: string;
  items: ChartItem[];
  nameHeading: string;
  valueHeading: string;
  empty: string;
}) {
  // Bars are in proportion to the largest value, which fills its cell.
  const scale = { max: Math.max(1, ...items.map((i) => i.value)), ticks: [] };
  return (
    <section class="bar-table" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{title}</h3>
      {items.length === 0 ? (
        <p class="stats-empty">{empty}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{nameHeading}</th>
              <th scope="col" class="num">
                {valueHeading}
              </th>
              <td class="bar-cell" aria-hidden="true" />
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.label}>
                <th scope="row">{item.label}</th>
                <td class="num">{item.text ?? item.value}</td>
                <td class="bar-cell" aria-hidden="true">
                  <svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" focusable="false">
                    <rect class="chart-bar" x={0} y={0} width={barLength(item.value, scale, 100)} height={10} />
                  </svg>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
