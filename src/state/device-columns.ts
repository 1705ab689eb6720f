import type { DeviceInfo } from '../events/event.schema.js';

/**
 * A v2 `device` object (CONTRACT.md §1) as the `device_*` columns of the
 * order ledger, coupon claims and registrations store it: one array per
 * column, in `DEVICE_COLUMN_NAMES` order, for an `unnest` insert. An absent
 * device or flag is NULL (unknown), never false.
 */
export const DEVICE_COLUMN_NAMES = [
  'device_model',
  'device_os',
  'device_emulator',
  'device_rooted',
  'device_hooked',
  'device_cloud_phone',
  'device_multi_instance',
] as const;

/** The PostgreSQL array type of each column in `DEVICE_COLUMN_NAMES`. */
export const DEVICE_COLUMN_TYPES = ['text[]', 'text[]', 'boolean[]', 'boolean[]', 'boolean[]', 'boolean[]', 'boolean[]'] as const;

export type DeviceColumnArrays = [
  (string | null)[],
  (string | null)[],
  (boolean | null)[],
  (boolean | null)[],
  (boolean | null)[],
  (boolean | null)[],
  (boolean | null)[],
];

export function deviceColumnArrays(devices: readonly (DeviceInfo | undefined)[]): DeviceColumnArrays {
  return [
    devices.map((device) => device?.model ?? null),
    devices.map((device) => device?.os ?? null),
    devices.map((device) => device?.emulator ?? null),
    devices.map((device) => device?.rooted ?? null),
    devices.map((device) => device?.hooked ?? null),
    devices.map((device) => device?.cloudPhone ?? null),
    devices.map((device) => device?.multiInstance ?? null),
  ];
}

/** `$first::text[], $first+1::text[], …` for the device arrays placed at parameter `first`. */
export function deviceParams(first: number): string {
  return DEVICE_COLUMN_TYPES.map((type, index) => `$${first + index}::${type}`).join(', ');
}

/** The device columns of a row read back, as the event's `device` (undefined when nothing was known). */
export interface DeviceRow {
  device_model: string | null;
  device_os: string | null;
  device_emulator: boolean | null;
  device_rooted: boolean | null;
  device_hooked: boolean | null;
  device_cloud_phone: boolean | null;
  device_multi_instance: boolean | null;
}

export function deviceFromRow(row: DeviceRow): DeviceInfo | undefined {
  const device: DeviceInfo = {
    ...(row.device_model !== null ? { model: row.device_model } : {}),
    ...(row.device_os !== null ? { os: row.device_os } : {}),
    ...(row.device_emulator !== null ? { emulator: row.device_emulator } : {}),
    ...(row.device_rooted !== null ? { rooted: row.device_rooted } : {}),
    ...(row.device_hooked !== null ? { hooked: row.device_hooked } : {}),
    ...(row.device_cloud_phone !== null ? { cloudPhone: row.device_cloud_phone } : {}),
    ...(row.device_multi_instance !== null ? { multiInstance: row.device_multi_instance } : {}),
  };
  return Object.keys(device).length > 0 ? device : undefined;
}
