/* global Chart, getComputedStyle, document */
import { h } from './dom.js';
import { formatClock, formatMoney, formatTime } from './format.js';
import { t } from './i18n.js';

const COLORS = {
  displayed: '#c2410c',
  present: '#1d4ed8',
  joins: '#047857',
  comments: '#7c3aed',
  orders: '#0369a1',
  refunds: '#b91c1c',
  marker: '#111827',
  detection: '#b91c1c',
};

/**
 * Vertical lines at given times (stream start and end, detections), drawn
 * through Chart.js's plugin hooks so they share the chart's scale.
 */
const timeMarkers = {
  id: 'timeMarkers',
  afterDatasetsDraw(chart, _args, options) {
    const lines = options?.lines ?? [];
    const x = chart.scales.x;
    const { top, bottom } = chart.chartArea;
    const context = chart.ctx;
    context.save();
    context.font = '11px system-ui, sans-serif';
    for (const line of lines) {
      if (line.at < x.min || line.at > x.max) continue;
      const px = x.getPixelForValue(line.at);
      context.strokeStyle = line.color;
      context.fillStyle = line.color;
      context.lineWidth = 1.5;
      context.setLineDash(line.dash ?? []);
      context.beginPath();
      context.moveTo(px, top);
      context.lineTo(px, bottom);
      context.stroke();
      if (line.label) context.fillText(line.label, Math.min(px + 3, chart.chartArea.right - context.measureText(line.label).width), top + 10 + (line.row ?? 0) * 12);
    }
    context.restore();
  },
};

let registered = false;
function chartLibrary() {
  if (typeof Chart === 'undefined') throw new Error('Chart.js did not load');
  if (!registered) {
    Chart.register(timeMarkers);
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.color = '#374151';
    Chart.defaults.animation = false;
    registered = true;
  }
  return Chart;
}

function series(points, field) {
  return points.map((point) => ({ x: point.t, y: point[field] }));
}

function timeAxis(min, max, bucketMs) {
  return {
    type: 'linear',
    min,
    max,
    title: { display: true, text: `time (UTC), ${Math.round(bucketMs / 60_000)}-minute buckets` },
    ticks: { callback: (value) => formatClock(Number(value)), maxTicksLimit: 12 },
  };
}

function baseOptions(timeline, markers, yTitle) {
  const min = timeline.points[0]?.t ?? timeline.from;
  const max = timeline.to;
  return {
    responsive: true,
    maintainAspectRatio: false,
    parsing: false,
    normalized: true,
    interaction: { mode: 'nearest', axis: 'x', intersect: false },
    scales: {
      x: { ...timeAxis(min, max, timeline.bucketMs), offset: false },
      // One y-axis width on every chart, so their time axes line up.
      y: { beginAtZero: true, title: { display: true, text: yTitle }, afterFit: (axis) => { axis.width = 64; } },
    },
    plugins: {
      legend: { position: 'top', align: 'start', labels: { boxWidth: 18, boxHeight: 8 } },
      tooltip: { callbacks: { title: (items) => (items[0] ? formatTime(items[0].parsed.x) : '') } },
      timeMarkers: { lines: markers },
    },
  };
}

/** Start, end and detection lines shared by every chart of a stream. */
export function streamMarkers(stream, detections) {
  const lines = [];
  if (stream.startedAt !== null) lines.push({ at: stream.startedAt, label: t('chart.start'), color: COLORS.marker, dash: [4, 3] });
  if (stream.endedAt !== null) lines.push({ at: stream.endedAt, label: t('chart.end'), color: COLORS.marker, dash: [4, 3] });
  detections.forEach((detection, index) =>
    lines.push({ at: detection.at, label: detection.label, color: COLORS.detection, dash: [], row: 1 + (index % 3) }),
  );
  return lines;
}

function chartFigure(id, title, description) {
  const canvas = h('canvas', { id, role: 'img', 'aria-label': `${title}. ${description}` });
  const figure = h('figure', { class: 'chart' }, h('figcaption', null, h('strong', null, title), ' ', h('span', { class: 'muted' }, description)), h('div', { class: 'chart-box' }, canvas));
  return { figure, canvas };
}

/**
 * The stream's timeline as three charts on one time axis: audience, activity, sales.
 * @returns {{ element: HTMLElement, render: () => void, destroy: () => void }}
 */
export function timelineCharts(timeline, markers) {
  const audience = chartFigure('chart-audience', t('chart.audience'), t('chart.audienceNote'));
  const activity = chartFigure('chart-activity', t('chart.activity'), t('chart.activityNote'));
  const sales = chartFigure('chart-sales', t('chart.sales'), t('chart.salesNote'));
  const element = h('div', { class: 'charts' }, audience.figure, activity.figure, sales.figure);
  const charts = [];
  const render = () => {
    const ChartJs = chartLibrary();
    const points = timeline.points;
    charts.push(new ChartJs(audience.canvas, {
      type: 'line',
      data: {
        datasets: [
          { label: t('chart.displayed'), data: series(points, 'displayed'), borderColor: COLORS.displayed, backgroundColor: COLORS.displayed, pointRadius: 0, borderWidth: 2, spanGaps: true },
          { label: t('chart.present'), data: series(points, 'present'), borderColor: COLORS.present, backgroundColor: COLORS.present, pointRadius: 0, borderWidth: 2, stepped: true },
        ],
      },
      options: baseOptions(timeline, markers, 'viewers'),
    }));
    charts.push(new ChartJs(activity.canvas, {
      type: 'line',
      data: {
        datasets: [
          { label: t('chart.joins'), data: series(points, 'joins'), borderColor: COLORS.joins, backgroundColor: COLORS.joins, pointRadius: 0, borderWidth: 2 },
          { label: t('chart.comments'), data: series(points, 'comments'), borderColor: COLORS.comments, backgroundColor: COLORS.comments, pointRadius: 0, borderWidth: 2, borderDash: [6, 3] },
        ],
      },
      options: baseOptions(timeline, markers, 'per bucket'),
    }));
    charts.push(new ChartJs(sales.canvas, {
      type: 'bar',
      data: {
        datasets: [
          { label: t('chart.orders'), data: series(points, 'orders'), backgroundColor: COLORS.orders },
          { label: t('chart.refunds'), data: series(points, 'refunds'), backgroundColor: COLORS.refunds },
        ],
      },
      options: { ...baseOptions(timeline, markers, 'per bucket'), grouped: true },
    }));
  };
  const destroy = () => charts.splice(0).forEach((chart) => chart.destroy());
  return { element, render, destroy };
}

/** Claimed against verified sales, one bar each. */
export function auditChart(audit) {
  const figure = chartFigure('chart-audit', t('chart.audit'), t('chart.auditNote', { currency: audit.currency }));
  const render = () => {
    const ChartJs = chartLibrary();
    const v = audit.verified;
    const bars = [
      { label: t('audit.claimedGmv'), value: audit.claimed?.gmv ?? null, color: '#c2410c' },
      { label: t('audit.grossAtList'), value: v.grossAtListPrice, color: '#6b7280' },
      { label: t('audit.grossPaid'), value: v.grossPaid, color: '#0369a1' },
      { label: t('audit.refunded'), value: v.refunded, color: '#b91c1c' },
      { label: t('audit.suspectedBrushing'), value: v.suspectedBrushing, color: '#7c3aed' },
      { label: t('audit.verifiedNet'), value: v.net, color: '#047857' },
    ].filter((bar) => bar.value !== null);
    new ChartJs(figure.canvas, {
      type: 'bar',
      data: {
        labels: bars.map((bar) => bar.label),
        datasets: [{ label: audit.currency, data: bars.map((bar) => bar.value), backgroundColor: bars.map((bar) => bar.color) }],
      },
      options: {
        indexAxis: 'y',
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: (item) => formatMoney(item.parsed.x, audit.currency) } } },
        scales: { x: { beginAtZero: true, ticks: { callback: (value) => formatMoney(Number(value), audit.currency) } } },
      },
    });
  };
  return { element: figure.figure, render };
}
