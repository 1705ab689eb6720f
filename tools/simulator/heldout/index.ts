/**
 * The held-out labelled model: rooms, attackers and honest traps written
 * independently of the main simulator and of the detectors, for evaluation
 * only. Thresholds are never tuned on it.
 */
export {
  generateHeldOutRooms,
  generateHeldOutRoomsWithRings,
  heldOutStyleKind,
  HELD_OUT_STYLES,
  HONEST_TRAPS,
  type HeldOutAudit,
  type HeldOutOptions,
  type HeldOutRoom,
  type HeldOutStyle,
  type HeldOutVerifiedSales,
  type HonestTrap,
} from './evening.js';
export { generateHeldOutV2, v2StyleKind, type HeldOutTruth, type HeldOutV2Evening, type HeldOutV2Options } from './v2.js';
export { V2_HONEST_TRAPS, V2_STYLES_BY_KIND, type V2Style, type V2Trap } from './v2-styles.js';
