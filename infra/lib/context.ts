import type { EnvironmentName } from './environments';
import type { ExistingVpc } from './network';

/** Reads a context value that is either an object (cdk.json) or a JSON string (`-c key='{…}'`). */
function objectValue(key: string, raw: unknown): Record<string, unknown> | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const value = typeof raw === 'string' ? (JSON.parse(raw) as unknown) : raw;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`context ${key}: expected an object`);
  return value as Record<string, unknown>;
}

function stringList(key: string, value: unknown, min: number): string[] {
  if (!Array.isArray(value) || value.length < min || !value.every((v) => typeof v === 'string' && v.length > 0)) {
    throw new Error(`context ${key}: expected at least ${min} non-empty strings`);
  }
  return value as string[];
}

/**
 * `<env>.vpc`: an existing VPC given in full (`{ vpcId, availabilityZones, publicSubnetIds,
 * privateSubnetIds, isolatedSubnetIds? }`, one subnet of each kind per AZ, two AZs at least), so
 * nothing is looked up.
 */
export function existingVpcFromContext(env: EnvironmentName, raw: unknown): ExistingVpc | undefined {
  const key = `${env}.vpc`;
  const v = objectValue(key, raw);
  if (!v) return undefined;
  if (typeof v.vpcId !== 'string' || !/^vpc-[0-9a-f]+$/.test(v.vpcId))
    throw new Error(`context ${key}.vpcId: expected vpc-…`);
  const availabilityZones = stringList(`${key}.availabilityZones`, v.availabilityZones, 2);
  const n = availabilityZones.length;
  const subnets = (name: string) => {
    const list = stringList(`${key}.${name}`, v[name], n);
    if (list.length !== n) throw new Error(`context ${key}.${name}: one subnet per availability zone (${n})`);
    return list;
  };
  return {
    vpcId: v.vpcId,
    availabilityZones,
    publicSubnetIds: subnets('publicSubnetIds'),
    privateSubnetIds: subnets('privateSubnetIds'),
    ...(v.isolatedSubnetIds !== undefined ? { isolatedSubnetIds: subnets('isolatedSubnetIds') } : {}),
  };
}

export function optionalString(key: string, raw: unknown, pattern: RegExp): string | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (typeof raw !== 'string' || !pattern.test(raw))
    throw new Error(`context ${key}: "${String(raw)}" does not match ${pattern}`);
  return raw;
}
