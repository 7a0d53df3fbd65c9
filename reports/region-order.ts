import { findRegion, greatCircleMiles } from '../model/regions.ts';
import type { Source } from './sources.ts';

/** A client region as the charts show it, with its distance from the reference server. */
export interface RegionView {
  id: string;
  /** `Ireland` for known ids, the id itself otherwise */
  name: string;
  /** great-circle miles from the reference region; null for an unknown region id */
  miles: number | null;
}

/** Where servers are assumed to be when no Report names an instance region. */
export const DEFAULT_REFERENCE_REGION = 'eu-west-1';

/**
 * The region the first source's first server runs in (its first instance's region), else
 * Ireland: regions are sorted by distance from it.
 */
export function referenceRegion(sources: readonly Source[]): string {
  const region = sources[0]?.report.resources?.instances[0]?.region;
  return region && findRegion(region) ? region : DEFAULT_REFERENCE_REGION;
}

/**
 * Every region of any source, nearest the reference first; unknown region ids last, by id.
 * Sorting by distance puts regions that share network conditions side by side in every chart.
 */
export function orderRegions(sources: readonly Source[], reference = referenceRegion(sources)): RegionView[] {
  const ref = findRegion(reference) ?? findRegion(DEFAULT_REFERENCE_REGION)!;
  const ids = new Set<string>();
  for (const s of sources) for (const id of Object.keys(s.report.regions)) ids.add(id);
  const views = [...ids].map((id): RegionView => {
    const r = findRegion(id);
    return { id, name: r ? r.name : id, miles: r ? (r.id === ref.id ? 0 : greatCircleMiles(ref, r)) : null };
  });
  return views.sort((a, b) => {
    if (a.miles === null || b.miles === null) return a.miles === null && b.miles === null ? a.id.localeCompare(b.id) : a.miles === null ? 1 : -1;
    return a.miles - b.miles || a.id.localeCompare(b.id);
  });
}
