import { api, query } from './api.js';
import { streamMarkers, timelineCharts } from './charts.js';
import { h, mount } from './dom.js';
import { formatDuration, formatMoney, formatNumber, formatTime } from './format.js';
import { t } from './i18n.js';

/**
 * A stream's timeline section: the live part by default, and on request the
 * whole log up to its last late refund.
 * @param {string} streamId
 * @param {(stream: object) => Array<{ at: number, label: string }>} detectionsOf
 * @param {string | undefined} currency for the "after the window" money
 */
export function timelineSection(streamId, detectionsOf = () => [], currency = undefined) {
  const element = h('div', { id: 'timeline' }, h('p', { class: 'muted' }, t('timeline.loading')));
  let charts = null;

  const load = async (to) => {
    let timeline;
    try {
      timeline = await api(`/v1/streams/${encodeURIComponent(streamId)}/timeline${query({ to })}`);
    } catch (error) {
      mount(element, h('p', { class: 'error', role: 'alert' }, error.status === 404 ? t('timeline.notVisible') : t('timeline.failed', { message: error.message })));
      return null;
    }
    const stream = timeline.stream;
    const start = stream.startedAt ?? stream.firstTs;
    charts?.destroy();
    const detections = detectionsOf(stream);
    charts = timelineCharts(timeline, streamMarkers(stream, detections));
    const after = timeline.after;
    const money = (value) => formatMoney(value, currency ?? timeline.currency);
    mount(
      element,
      h(
        'p',
        { class: 'muted' },
        t('timeline.span', { from: formatTime(start), to: stream.endedAt === null ? t('timeline.notEnded') : formatTime(stream.endedAt) }),
        stream.endedAt === null ? '' : ` (${formatDuration(stream.endedAt - start)})`,
        t('timeline.buckets', { until: formatTime(timeline.to), minutes: Math.round(timeline.bucketMs / 60_000) }),
        detections.length > 0 ? t('timeline.detections') : '',
      ),
      after
        ? h(
            'p',
            { class: 'notice', id: 'timeline-after' },
            t('timeline.after', { until: formatTime(after.lastTs), refunds: formatNumber(after.refunds), refunded: money(after.refundedAmount), orders: formatNumber(after.orders), paid: money(after.paidAmount) }),
            ' ',
            h('button', { type: 'button', class: 'button subtle', onclick: () => void load(after.lastTs) }, t('timeline.whole')),
          )
        : null,
      charts.element,
    );
    charts.render();
    return timeline;
  };

  return { element, load: () => load(undefined) };
}
