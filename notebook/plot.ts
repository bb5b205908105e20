/**
 * Plots for notebooks, described once and drawn twice: as a text chart for the terminal
 * (asciichart for curves, block characters for bars and heatmaps) and as SVG for rendered notebooks
 * (vega-lite compiled to vega, rendered headless with `renderer: 'none'`).
 */
import asciichart from 'asciichart';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { ArgumentError } from '../core/errors.js';

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
    if (plot.values.length !== plot.rows.names.length || plot.values.some((r) => r.length !== plot.cols.names.length)) {
      throw new ArgumentError('plot.values', plot.values, `${plot.rows.names.length} rows of ${plot.cols.names.length} values`);
    }
    return;
  }
  const n = plot.kind === 'bar' ? plot.categories.length : plot.x.values.length;
  for (const s of plot.series) {
    if (s.values.length !== n) throw new ArgumentError(`plot.series "${s.name}"`, s.values, `${n} values, one per x`);
  }
}

const SHADES = ' .:-=+*#%@';
const ANSI_COLORS = [asciichart.blue, asciichart.red, asciichart.green, asciichart.magenta, asciichart.cyan, asciichart.yellow];

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(2) : Number(v.toPrecision(4)).toString();
}

/** A text chart sized for an 80-column terminal. Colour only when `color` is set. */
export function plotToText(plot: Plot, color = false): string {
  validate(plot);
  const lines = [`  ${plot.title}`];
  if (plot.kind === 'heatmap') {
    const flat = plot.values.flat();
    const lo = Math.min(...flat);
    const hi = Math.max(...flat);
    const width = Math.max(...plot.rows.names.map((n) => n.length));
    lines.push(`  ${' '.repeat(width)}  ${plot.cols.label} ->  (shade: '${SHADES[0]}' = ${fmt(lo)}, '${SHADES.at(-1)}' = ${fmt(hi)})`);
    plot.values.forEach((row, i) => {
      const cells = row.map((v) => {
        const t = hi === lo ? 1 : (v - lo) / (hi - lo);
        return (SHADES[Math.round(t * (SHADES.length - 1))] ?? ' ').repeat(2);
      });
      lines.push(`  ${(plot.rows.names[i] ?? '').padStart(width)} |${cells.join('')}|`);
    });
    return lines.join('\n');
  }
  if (plot.kind === 'bar') {
    const all = plot.series.flatMap((s) => s.values);
    const hi = Math.max(...all.map(Math.abs), Number.MIN_VALUE);
    const label = Math.max(...plot.categories.map((c) => c.length)) + (plot.series.length > 1 ? Math.max(...plot.series.map((s) => s.name.length)) + 1 : 0);
    plot.categories.forEach((c, i) => {
      for (const s of plot.series) {
        const v = s.values[i] as number;
        const name = plot.series.length > 1 ? `${c} ${s.name}` : c;
        lines.push(`  ${name.padStart(label)} | ${'#'.repeat(Math.round((Math.abs(v) / hi) * 50))} ${fmt(v)}`);
      }
    });
    lines.push(`  ${' '.repeat(label)}   ${plot.y.label}`);
    return lines.join('\n');
  }
  const transform = (v: number) => (plot.y.log ? Math.log10(v) : v);
  const width = Math.min(70, Math.max(plot.x.values.length, 2));
  // Resample every series to `width` columns so long x ranges fit the terminal.
  const resample = (values: readonly number[]) =>
    Array.from({ length: width }, (_, c) => transform(values[Math.round((c * (values.length - 1)) / (width - 1))] as number));
  const chart = asciichart.plot(
    plot.series.map((s) => resample(s.values)),
    {
      height: 12,
      colors: color ? plot.series.map((_, i) => ANSI_COLORS[i % ANSI_COLORS.length] as string) : undefined,
      format: (v: number) => fmt(plot.y.log ? 10 ** v : v).padStart(10),
    },
  );
  lines.push(chart);
  const xs = plot.x.values;
  lines.push(`  ${' '.repeat(10)}${plot.x.label}: ${fmt(xs[0] as number)} ... ${fmt(xs.at(-1) as number)}${plot.x.log ? ' (log scale)' : ''}; y: ${plot.y.label}${plot.y.log ? ' (log scale)' : ''}`);
  if (plot.series.length > 1) {
    lines.push(`  ${' '.repeat(10)}series: ${plot.series.map((s, i) => `${i + 1}=${s.name}`).join(', ')}`);
  }
  return lines.join('\n');
}

/** Legends below the chart, with room for full series names. */
const LEGEND = { orient: 'bottom', direction: 'vertical', labelLimit: 600 } as const;

function toVegaLite(plot: Plot): TopLevelSpec {
  const base = { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', title: plot.title, width: 480, height: 280 } as const;
  if (plot.kind === 'heatmap') {
    const values = plot.values.flatMap((row, i) => row.map((v, j) => ({ row: plot.rows.names[i], col: plot.cols.names[j], value: v })));
    return {
      ...base,
      data: { values },
      mark: 'rect',
      encoding: {
        y: { field: 'row', type: 'ordinal', title: plot.rows.label, sort: [...plot.rows.names] },
        x: { field: 'col', type: 'ordinal', title: plot.cols.label, sort: [...plot.cols.names] },
        color: { field: 'value', type: 'quantitative', title: 'value' },
      },
    };
  }
  if (plot.kind === 'bar') {
    const values = plot.series.flatMap((s) => s.values.map((v, i) => ({ category: plot.categories[i], series: s.name, value: v })));
    return {
      ...base,
      data: { values },
      mark: 'bar',
      encoding: {
        x: { field: 'category', type: 'nominal', title: null, sort: [...plot.categories], axis: { labelAngle: 0 } },
        xOffset: { field: 'series' },
        y: { field: 'value', type: 'quantitative', title: plot.y.label },
        color: { field: 'series', type: 'nominal', title: null, legend: LEGEND },
      },
    };
  }
  const values = plot.series.flatMap((s) => s.values.map((v, i) => ({ x: plot.x.values[i], y: v, series: s.name })));
  return {
    ...base,
    data: { values },
    mark: plot.kind === 'line' ? { type: 'line', point: true } : 'point',
    encoding: {
      x: { field: 'x', type: 'quantitative', title: plot.x.label, scale: plot.x.log ? { type: 'log', nice: false } : { nice: false } },
      y: { field: 'y', type: 'quantitative', title: plot.y.label, scale: plot.y.log ? { type: 'log' } : { zero: false } },
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
