/**
 * The network an address belongs to, at the granularity one operator hands to
 * one customer or one server rack: /24 for IPv4, /64 for IPv6 (RFC 6177's
 * end-site allocation is a /64 or shorter, so two addresses in one /64 are one
 * site). Returns undefined for text that is not an address.
 */
export function subnetOf(ip: string | undefined): string | undefined {
  if (ip === undefined || ip.length === 0) return undefined;
  if (ip.includes(':')) return ipv6Prefix64(ip);
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  // join() gives a flat string; a template literal this long would stay a rope of four pieces in memory.
  return [parts[0], parts[1], parts[2], '0/24'].join('.');
}

function ipv6Prefix64(ip: string): string | undefined {
  // An IPv4-mapped address (::ffff:1.2.3.4) is really IPv4.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return subnetOf(mapped[1]);
  const zoneless = ip.split('%')[0].toLowerCase();
  const halves = zoneless.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] === '' ? [] : halves[0].split(':');
  const tail = halves.length === 2 && halves[1] !== '' ? halves[1].split(':') : [];
  // An embedded IPv4 tail counts as two groups.
  const tailGroups = tail.length > 0 && tail[tail.length - 1].includes('.') ? tail.length + 1 : tail.length;
  const missing = 8 - head.length - tailGroups;
  if (halves.length === 1 && head.length !== 8 && tailGroups !== 8) {
    if (head.length < 4) return undefined;
  }
  const groups = [...head, ...Array<string>(Math.max(missing, 0)).fill('0'), ...tail];
  if (groups.length < 4) return undefined;
  const prefix = groups.slice(0, 4).map((group) => (Number.parseInt(group || '0', 16) || 0).toString(16));
  prefix.push(':/64');
  return prefix.join(':');
}
