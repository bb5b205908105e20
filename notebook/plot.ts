/**
 * Plots for notebooks, described once and drawn twice: as a text chart for the terminal
 * (asciichart for curves, block characters for bars and heatmaps) and as SVG for rendered notebooks
 * (vega-lite compiled to vega, rendered headless with `renderer: 'none'`).
 */
import asciichart from 'asciichart';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { ArgumentError } from '../core/errors.js';
import { displayWidth, wrapLine } from './layout.js';

export interface Series {
  name: string;
  values: readonly number[];
}

/** Curves or points over a shared x axis. */
export interface XYPlot {
  kind: 'line' | 'scatter';
  title: string;
  x: { label: string; values: readonly number[]; log?: boolean };
  y: { label: string; log?: boolean };
  series: readonly Series[];
}

/** Grouped bars, one group per category. */
export interface BarPlot {
  kind: 'bar';
  title: string;
  categories: readonly string[];
  y: { label: string };
  series: readonly Series[];
}

/** A matrix of values, e.g. attention weights or gate weights per task. */
export interface HeatmapPlot {
  kind: 'heatmap';
  title: string;
  rows: { label: string; names: readonly string[] };
  cols: { label: string; names: readonly string[] };
  values: readonly (readonly number[])[];
}

export type Plot = XYPlot | BarPlot | HeatmapPlot;

function validate(plot: Plot): void {
  if (plot.kind === 'heatmap') {
    if (
      plot.values.length !== plot.rows.names.length ||
      plot.values.some((r) => r.length !== plot.cols.names.length)
    ) {
      throw new ArgumentError(
        'plot.values',
        plot.values,
        `${plot.rows.names.length} rows of ${plot.cols.names.length} values`,
      );
    }
    return;
  }
  const n = plot.kind === 'bar' ? plot.categories.length : plot.x.values.length;
  for (const s of plot.series) {
    if (s.values.length !== n)
      throw new ArgumentError(`plot.series "${s.name}"`, s.values, `${n} values, one per x`);
  }
}

const SHADES = ' .:-=+*#%@';
/** One symbol per series, so series stay apart when colour is lost (piped output, print). */
export const SERIES_SYMBOLS = ['*', 'o', 'x', '+', '#', '@', '%', '&'];
const ANSI_COLORS = [
  asciichart.blue,
  asciichart.red,
  asciichart.green,
  asciichart.magenta,
  asciichart.cyan,
  asciichart.yellow,
];
const RESET = '\x1b[0m';

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e5 || a < 1e-3
    ? v.toExponential(2)
    : Number(v.toPrecision(4)).toLocaleString('en-US');
}

const symbolOf = (i: number) => SERIES_SYMBOLS[i % SERIES_SYMBOLS.length] as string;
const colorOf = (i: number) => ANSI_COLORS[i % ANSI_COLORS.length] as string;

/**
 * Series drawn under another because their values are the same to the eye (within 1% of the
 * chart's y range at every x): a reader would otherwise see one line where the legend promises
 * two. Returns "b lies under a" notes, said under the chart and in the SVG's subtitle.
 */
export function hiddenSeries(series: readonly Series[]): string[] {
  const all = series.flatMap((s) => s.values).filter(Number.isFinite);
  const range = all.length ? Math.max(...all) - Math.min(...all) : 0;
  const tol = Math.max(1e-9, 0.01 * range);
  const notes: string[] = [];
  series.forEach((s, i) => {
    const twin = series
      .slice(0, i)
      .find((t) => t.values.every((v, j) => Math.abs(v - (s.values[j] as number)) <= tol));
    if (twin)
      notes.push(`"${s.name}" lies under "${twin.name}" (equal to within 1% of the y range)`);
  });
  return notes;
}

/** Whether a heatmap holds values of both signs: it then gets a two-sided scale around 0. */
const isSigned = (values: readonly (readonly number[])[]) =>
  values.some((r) => r.some((v) => v < 0)) && values.some((r) => r.some((v) => v > 0));

/** A heatmap small enough to show its values in its cells. */
const showsValues = (plot: HeatmapPlot) => plot.values.length * (plot.cols.names.length || 1) <= 64;

function heatmapText(plot: HeatmapPlot, width: number): string[] {
  const lines: string[] = [];
  const flat = plot.values.flat();
  const rowWidth = Math.max(0, ...plot.rows.names.map((n) => n.length));
  if (showsValues(plot)) {
    const cellWidth = Math.max(
      5,
      ...flat.map((v) => fmt(v).length),
      ...plot.cols.names.map((n) => n.length),
    );
    const fits = rowWidth + 3 + plot.cols.names.length * (cellWidth + 1) <= width;
    if (fits) {
      lines.push(
        `  ${' '.repeat(rowWidth)}  ${plot.cols.names.map((n) => n.padStart(cellWidth)).join(' ')}   (${plot.cols.label} across, ${plot.rows.label} down)`,
      );
      plot.values.forEach((row, i) =>
        lines.push(
          `  ${(plot.rows.names[i] ?? '').padStart(rowWidth)}  ${row.map((v) => fmt(v).padStart(cellWidth)).join(' ')}`,
        ),
      );
      return lines;
    }
  }
  const signed = isSigned(plot.values);
  const lo = Math.min(...flat);
  const hi = Math.max(...flat);
  const bound = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  // Two characters a cell; columns are sampled when the terminal is too narrow for all of them.
  const room = Math.max(1, Math.floor((width - rowWidth - 6) / 2));
  const step = Math.max(1, Math.ceil(plot.cols.names.length / room));
  const cols = plot.cols.names.map((_, j) => j).filter((j) => j % step === 0);
  const shade = (t: number) =>
    SHADES[Math.round(Math.min(1, Math.max(0, t)) * (SHADES.length - 1))] as string;
  const cell = (v: number) =>
    signed
      ? `${v < 0 ? '-' : v > 0 ? '+' : ' '}${shade(Math.abs(v) / bound)}`
      : shade(hi === lo ? 1 : (v - lo) / (hi - lo)).repeat(2);
  const scale = signed
    ? `two-sided: '-${SHADES.at(-1)}' = -${fmt(bound)}, '  ' = 0, '+${SHADES.at(-1)}' = +${fmt(bound)}`
    : `'${SHADES[0]}' = ${fmt(lo)}, '${SHADES.at(-1)}' = ${fmt(hi)}`;
  lines.push(
    `  ${plot.cols.label} across${step > 1 ? ` (every ${step}th of ${plot.cols.names.length})` : ''}, ${plot.rows.label} down; ${scale}`,
  );
  plot.values.forEach((row, i) =>
    lines.push(
      `  ${(plot.rows.names[i] ?? '').padStart(rowWidth)} |${cols.map((j) => cell(row[j] as number)).join('')}|`,
    ),
  );
  return lines;
}

function barText(plot: BarPlot, width: number, color: boolean): string[] {
  const lines: string[] = [];
  const many = plot.series.length > 1;
  const all = plot.series.flatMap((s) => s.values);
  const hi = Math.max(...all.map(Math.abs), Number.MIN_VALUE);
  const label = Math.max(0, ...plot.categories.map((c) => c.length));
  const valueWidth = Math.max(...all.map((v) => fmt(v).length));
  const room = Math.max(4, width - label - valueWidth - 8);
  plot.categories.forEach((c, i) => {
    plot.series.forEach((s, k) => {
      const v = s.values[i] as number;
      const mark = many ? symbolOf(k) : '#';
      let bar = mark.repeat(Math.round((Math.abs(v) / hi) * room));
      if (color && many) bar = `${colorOf(k)}${bar}${RESET}`;
      lines.push(`  ${(k === 0 ? c : '').padStart(label)} | ${bar} ${fmt(v)}`);
    });
  });
  lines.push(
    `  ${' '.repeat(label)}   ${plot.y.label}${plot.series.some((s) => s.values.some((v) => v < 0)) ? ' (bar length is |value|)' : ''}`,
  );
  if (many) lines.push(...legend(plot.series, color));
  return lines;
}

function legend(series: readonly Series[], color: boolean): string[] {
  const items = series.map(
    (s, i) => `${color ? `${colorOf(i)}${symbolOf(i)}${RESET}` : symbolOf(i)} ${s.name}`,
  );
  return [`  legend: ${items.join('   ')}`, ...hiddenSeries(series).map((n) => `  note: ${n}`)];
}

function xyText(plot: XYPlot, width: number, color: boolean): string[] {
  const height = 12;
  const axis = 10;
  const cols = Math.max(10, width - axis - 4);
  const tx = (v: number) => (plot.x.log ? Math.log10(v) : v);
  const ty = (v: number) => (plot.y.log ? Math.log10(v) : v);
  const xs = plot.x.values.map(tx);
  const ys = plot.series.flatMap((s) => s.values.map(ty)).filter(Number.isFinite);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const col = (x: number) => (x1 === x0 ? 0 : Math.round(((x - x0) / (x1 - x0)) * (cols - 1)));
  const row = (y: number) =>
    y1 === y0 ? Math.floor(height / 2) : Math.round(((y1 - y) / (y1 - y0)) * (height - 1));
  const grid: (number | undefined)[][] = Array.from({ length: height }, () =>
    new Array<number | undefined>(cols).fill(undefined),
  );
  const put = (r: number, c: number, k: number) => {
    const line = grid[r];
    if (line && c >= 0 && c < cols && line[c] === undefined) line[c] = k;
  };
  plot.series.forEach((s, k) => {
    const pts = s.values
      .map((v, i) => [xs[i] as number, ty(v)] as const)
      .filter(([, y]) => Number.isFinite(y));
    pts.forEach(([x, y], i) => {
      put(row(y), col(x), k);
      const next = pts[i + 1];
      if (plot.kind !== 'line' || !next) return;
      // a line: fill the columns between two points by linear interpolation
      const [c0, c1] = [col(x), col(next[0])];
      for (let c = c0 + 1; c < c1; c++) put(row(y + ((next[1] - y) * (c - c0)) / (c1 - c0)), c, k);
    });
  });
  const yLabel = (r: number) => {
    if (r !== 0 && r !== height - 1 && r !== Math.floor(height / 2)) return ''.padStart(axis);
    const y = y1 - ((y1 - y0) * r) / (height - 1);
    return fmt(plot.y.log ? 10 ** y : y).padStart(axis);
  };
  const lines = grid.map((line, r) => {
    const body = line
      .map((k) =>
        k === undefined ? ' ' : color ? `${colorOf(k)}${symbolOf(k)}${RESET}` : symbolOf(k),
      )
      .join('');
    return `${yLabel(r)} |${body}`;
  });
  lines.push(`${' '.repeat(axis)} +${'-'.repeat(cols)}`);
  const first = fmt(plot.x.values[0] as number);
  const last = fmt(plot.x.values.at(-1) as number);
  lines.push(`${' '.repeat(axis + 2)}${first}${last.padStart(Math.max(1, cols - first.length))}`);
  lines.push(
    `  x: ${plot.x.label}${plot.x.log ? ' (log scale)' : ''}; y: ${plot.y.label}${plot.y.log ? ' (log scale)' : ''}`,
  );
  lines.push(...legend(plot.series, color));
  return lines;
}

/**
 * A text chart that fits `width` columns (80 when unknown). Each series has its own symbol as well
 * as its own colour (colour only when `color` is set), and a legend says which is which.
 */
export function plotToText(plot: Plot, color = false, width = 80): string {
  validate(plot);
  const lines = [`  ${plot.title}`];
  if (plot.kind === 'heatmap') lines.push(...heatmapText(plot, width));
  else if (plot.kind === 'bar') lines.push(...barText(plot, width, color));
  else lines.push(...xyText(plot, width, color));
  // the chart itself is sized to fit; titles, legends and notes are wrapped
  return lines
    .flatMap((l) => (displayWidth(l) <= width ? [l] : wrapLine(l.trim(), width, '  ', '    ')))
    .join('\n');
}

/** Legends below the chart, with room for full series names. */
const LEGEND = { orient: 'bottom', direction: 'vertical', labelLimit: 600 } as const;

function toVegaLite(plot: Plot): TopLevelSpec {
  const notes = plot.kind === 'heatmap' ? [] : hiddenSeries(plot.series);
  const title = notes.length ? { text: plot.title, subtitle: notes } : plot.title;
  const base = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 480,
    height: 280,
  } as const;
  if (plot.kind === 'heatmap') {
    const values = plot.values.flatMap((row, i) =>
      row.map((v, j) => ({ row: plot.rows.names[i], col: plot.cols.names[j], value: v })),
    );
    const flat = plot.values.flat();
    const bound = Math.max(...flat.map(Math.abs)) || 1;
    // signed values: a diverging scale centred on 0 (blue below, red above); else one-sided
    const scale = isSigned(plot.values)
      ? { scheme: 'redblue', reverse: true, domain: [-bound, bound], domainMid: 0 }
      : { scheme: 'blues' };
    const encoding = {
      y: { field: 'row', type: 'ordinal', title: plot.rows.label, sort: [...plot.rows.names] },
      x: { field: 'col', type: 'ordinal', title: plot.cols.label, sort: [...plot.cols.names] },
    } as const;
    const color = { field: 'value', type: 'quantitative', title: 'value', scale } as const;
    const cells = { mark: 'rect', encoding: { color } } as const;
    if (!showsValues(plot))
      return {
        ...base,
        data: { values },
        mark: 'rect',
        encoding: { ...encoding, color },
      } as TopLevelSpec;
    return {
      ...base,
      data: { values },
      encoding,
      layer: [
        cells,
        {
          mark: { type: 'text', fontSize: 11 },
          encoding: {
            text: { field: 'value', type: 'quantitative', format: '.3~g' },
            color: { value: 'black' },
          },
        },
      ],
    } as TopLevelSpec;
  }
  if (plot.kind === 'bar') {
    const values = plot.series.flatMap((s) =>
      s.values.map((v, i) => ({ category: plot.categories[i], series: s.name, value: v })),
    );
    return {
      ...base,
      data: { values },
      mark: 'bar',
      encoding: {
        x: {
          field: 'category',
          type: 'nominal',
          title: null,
          sort: [...plot.categories],
          axis: { labelAngle: 0 },
        },
        xOffset: { field: 'series' },
        y: { field: 'value', type: 'quantitative', title: plot.y.label },
        color: { field: 'series', type: 'nominal', title: null, legend: LEGEND },
      },
    };
  }
  const values = plot.series.flatMap((s) =>
    s.values.map((v, i) => ({ x: plot.x.values[i], y: v, series: s.name })),
  );
  return {
    ...base,
    data: { values },
    mark: plot.kind === 'line' ? { type: 'line', point: true } : 'point',
    encoding: {
      x: {
        field: 'x',
        type: 'quantitative',
        title: plot.x.label,
        scale: plot.x.log ? { type: 'log', nice: false } : { nice: false },
      },
      y: {
        field: 'y',
        type: 'quantitative',
        title: plot.y.label,
        scale: plot.y.log ? { type: 'log' } : { zero: false },
      },
      color: { field: 'series', type: 'nominal', title: null, legend: LEGEND },
    },
  };
}

/** The plot as a standalone SVG document. */
export async function plotToSvg(plot: Plot): Promise<string> {
  validate(plot);
  const view = new vega.View(vega.parse(compile(toVegaLite(plot)).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
