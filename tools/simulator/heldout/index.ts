/**
 * The held-out labelled model: rooms, attackers and honest traps written
 * independently of the main simulator and of the detectors, for evaluation
 * only. Thresholds are never tuned on it.
 */
export {
  generateHeldOutRooms,
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
