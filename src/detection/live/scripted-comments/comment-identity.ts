import type { ViewerProfile } from '../../shared/viewer-profile.js';

/**
 * Identity figures the comment detector adds to the shared cohort identity
 * (`shared/cohort-identity.ts`), for pools too large or too old for one
 * creation window or one model to show: bulk registration in several
 * sittings, and a farm's two or three handset models.
 */

/**
 * Members created within `spanMs` of at least `peers` - 1 other members: a
 * registration sitting. Honest accounts spread their creation over years,
 * so only the week's real newcomers (a minority of any honest crowd) clump.
 */
export function creationClumps(members: readonly ViewerProfile[], spanMs: number, peers: number): Set<string> {
  const created = members.filter((member) => member.createdAt >= 0).sort((a, b) => a.createdAt - b.createdAt);
  const clumped = new Set<string>();
  for (let i = 0, lo = 0, hi = 0; i < created.length; i++) {
    while (created[i].createdAt - created[lo].createdAt > spanMs) lo++;
    while (hi + 1 < created.length && created[hi + 1].createdAt - created[i].createdAt <= spanMs) hi++;
    if (hi - lo + 1 >= peers) clumped.add(created[i].accountId);
  }
  return clumped;
}

export interface ModelSpread {
  withModel: number;
  /** Share of members (with a model) on the `top` most common models. */
  topShare: number;
  topModels: Set<string>;
}

/** How much of a cohort the `top` most common handset models cover; ties by model name, so the result is deterministic. */
export function modelSpread(members: readonly ViewerProfile[], top: number): ModelSpread {
  const counts = new Map<string, number>();
  let withModel = 0;
  for (const member of members) {
    if (member.model === undefined) continue;
    withModel++;
    counts.set(member.model, (counts.get(member.model) ?? 0) + 1);
  }
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, top);
  const covered = ranked.reduce((sum, [, count]) => sum + count, 0);
  return { withModel, topShare: withModel > 0 ? covered / withModel : 0, topModels: new Set(ranked.map(([model]) => model)) };
}
