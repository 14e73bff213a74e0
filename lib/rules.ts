/**
 * Pure validation rules for values AWS itself constrains. Each is what `pulumi up` would otherwise reject
 * halfway through a deployment, so config validation checks them before any resource is registered.
 */

/** Retention periods the CloudWatch Logs PutRetentionPolicy API accepts (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export function isLogRetention(days: number): boolean {
  return (LOG_RETENTION_DAYS as readonly number[]).includes(days);
}

/** Memory (MiB) Fargate accepts for each task CPU value (CPU units), from the ECS task size table. */
export function fargateMemoryOptions(cpu: number): number[] {
  const range = (from: number, to: number, step: number) =>
    Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);
  switch (cpu) {
    case 256:
      return [512, 1024, 2048];
    case 512:
      return range(1024, 4096, 1024);
    case 1024:
      return range(2048, 8192, 1024);
    case 2048:
      return range(4096, 16384, 1024);
    case 4096:
      return range(8192, 30720, 1024);
    case 8192:
      return range(16384, 61440, 4096);
    case 16384:
      return range(32768, 122880, 8192);
    default:
      return [];
  }
}

export const FARGATE_CPU_VALUES = [256, 512, 1024, 2048, 4096, 8192, 16384] as const;

/** Describes what is allowed for this CPU, or undefined when the pair is valid. */
export function checkFargatePair(cpu: number, memory: number): string | undefined {
  const options = fargateMemoryOptions(cpu);
  if (options.length === 0) return `CPU must be one of ${FARGATE_CPU_VALUES.join(", ")}`;
  if (!options.includes(memory)) {
    return `with ${cpu} CPU units Fargate accepts ${options[0]}-${options[options.length - 1]} MiB in steps of ${
      options.length > 1 ? options[1] - options[0] : options[0]
    } (${options.length <= 8 ? options.join(", ") : "see the ECS task size table"})`;
  }
  return undefined;
}

/** An IPv4 CIDR block as numbers, for overlap checks. */
export interface Cidr {
  text: string;
  first: number;
  last: number;
  prefix: number;
}

/** Parses `a.b.c.d/n` strictly: four octets 0-255, prefix 0-32, no host bits set. */
export function parseCidr(text: string): Cidr | string {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!m) return "must be an IPv4 CIDR block such as 10.0.0.0/16";
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return "must be an IPv4 CIDR block such as 10.0.0.0/16";
  const addr = ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3];
  const size = 2 ** (32 - prefix);
  if (addr % size !== 0) {
    const base = addr - (addr % size);
    return `has host bits set; the network address is ${intToIp(base)}/${prefix}`;
  }
  return { text, first: addr, last: addr + size - 1, prefix };
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.first <= b.last && b.first <= a.last;
}

/** A pragmatic address check: one @, a dotted domain, no spaces. SNS confirms the address itself. */
export function isEmail(s: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/.test(s);
}

/** A DNS name such as app.example.com: labels of 1-63 letters, digits and hyphens, at most 253 characters. */
export function isDomainName(s: string): boolean {
  return s.length <= 253 && /^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/.test(s);
}
