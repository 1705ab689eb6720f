import { api, query } from './api.js';
import { streamMarkers, timelineCharts } from './charts.js';
import { h, mount } from './dom.js';
import { formatDuration, formatMoney, formatNumber, formatTime } from './format.js';

/**
 * A stream's timeline section: the live part by default, and on request the
 * whole log up to its last late refund.
 * @param {string} streamId
 * @param {(stream: object) => Array<{ at: number, label: string }>} detectionsOf
 * @param {string | undefined} currency for the "after the window" money
 */
export function timelineSection(streamId, detectionsOf = () => [], currency = undefined) {
  const element = h('div', { id: 'timeline' }, h('p', { class: 'muted' }, 'Loading timeline…'));
  let charts = null;

  const load = async (to) => {
    let timeline;
    try {
      timeline = await api(`/v1/streams/${encodeURIComponent(streamId)}/timeline${query({ to })}`);
    } catch (error) {
      mount(element, h('p', { class: 'error', role: 'alert' }, error.status === 404 ? 'No timeline: the stream is not visible to this key.' : `Timeline unavailable: ${error.message}`));
      return null;
    }
    const stream = timeline.stream;
    const start = stream.startedAt ?? stream.firstTs;
    charts?.destroy();
    const detections = detectionsOf(stream);
    charts = timelineCharts(timeline, streamMarkers(stream, detections));
    const after = timeline.after;
    const money = (value) => {
      const code = currency ?? timeline.currency;
      return code ? formatMoney(value, code) : `${formatNumber(value)} (minor units)`;
    };
    mount(
      element,
      h(
        'p',
        { class: 'muted' },
        `Stream ${formatTime(start)} to ${stream.endedAt === null ? 'not ended' : formatTime(stream.endedAt)}`,
        stream.endedAt === null ? '' : ` (${formatDuration(stream.endedAt - start)})`,
        `; showing until ${formatTime(timeline.to)} in ${Math.round(timeline.bucketMs / 60_000)}-minute buckets. Dashed lines mark the start and end${detections.length > 0 ? ', red ones detections' : ''}.`,
      ),
      after
        ? h(
            'p',
            { class: 'notice', id: 'timeline-after' },
            `Later, until ${formatTime(after.lastTs)}: ${formatNumber(after.refunds)} refund(s) of ${money(after.refundedAmount)}, ${formatNumber(after.orders)} order(s), ${money(after.paidAmount)} paid. `,
            h('button', { type: 'button', class: 'button subtle', onclick: () => void load(after.lastTs) }, 'Show the whole log'),
          )
        : null,
      charts.element,
    );
    charts.render();
    return timeline;
  };

  return { element, load: () => load(undefined) };
}
