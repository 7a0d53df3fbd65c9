/**
 * The nine AWS regions of the study (SYSTEM.md §2) with the coordinates of their data-centre
 * areas. The eight client regions exclude Frankfurt (excluded in the benchmark for tooling
 * reasons only); Frankfurt stays available to architectures.
 */
export interface Region {
  id: string;
  name: string;
  /** degrees, north positive */
  lat: number;
  /** degrees, east positive */
  lon: number;
}

export const REGIONS: readonly Region[] = [
  { id: 'eu-west-1', name: 'Ireland', lat: 53.35, lon: -6.26 },
  { id: 'us-east-1', name: 'N. Virginia', lat: 38.95, lon: -77.45 },
  { id: 'us-west-2', name: 'Oregon', lat: 45.84, lon: -119.7 },
  { id: 'us-west-1', name: 'N. California', lat: 37.35, lon: -121.96 },
  { id: 'sa-east-1', name: 'São Paulo', lat: -23.55, lon: -46.63 },
  { id: 'ap-southeast-1', name: 'Singapore', lat: 1.35, lon: 103.82 },
  { id: 'ap-northeast-1', name: 'Tokyo', lat: 35.68, lon: 139.69 },
  { id: 'ap-southeast-2', name: 'Sydney', lat: -33.87, lon: 151.21 },
  { id: 'eu-central-1', name: 'Frankfurt', lat: 50.11, lon: 8.68 },
];

/** The eight regions clients ran in, in the order of SYSTEM.md §6 (distance from Ireland). */
export const CLIENT_REGION_IDS: readonly string[] = [
  'eu-west-1', 'us-east-1', 'us-west-2', 'us-west-1', 'sa-east-1', 'ap-southeast-1',
  'ap-northeast-1', 'ap-southeast-2',
];

/**
 * Sort order of client region ids: the order of CLIENT_REGION_IDS, then any other id after them
 * by its characters (code points, so the order does not depend on the machine's locale).
 */
export function byClientRegion(a: string, b: string): number {
  const ia = CLIENT_REGION_IDS.indexOf(a);
  const ib = CLIENT_REGION_IDS.indexOf(b);
  return (ia < 0 ? CLIENT_REGION_IDS.length : ia) - (ib < 0 ? CLIENT_REGION_IDS.length : ib) || (a < b ? -1 : a > b ? 1 : 0);
}

const BY_ID = new Map(REGIONS.map((r) => [r.id, r]));

export function findRegion(id: string): Region | undefined {
  return BY_ID.get(id);
}

export function isRegionId(id: string): boolean {
  return BY_ID.has(id);
}

/** The rule a region id breaks, with the valid ids: `must be one of eu-west-1, us-east-1, ...`. */
export const REGION_ID_RULE = `must be one of ${REGIONS.map((r) => r.id).join(', ')}`;

const EARTH_RADIUS_MILES = 3958.8;

/** Great-circle (haversine) distance in statute miles. */
export function greatCircleMiles(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_MILES * Math.asin(Math.min(1, Math.sqrt(h)));
}
