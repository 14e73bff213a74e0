import type { CostItem } from "./types";
import { round } from "./values";

/* How reports (the offline preview's text, the architecture pages) show an estimate's items. */

/** Items with the same description and range, for reports: how many, and their summed ends. */
export interface CostRow {
  description: string;
  count: number;
  minUsd: number;
  maxUsd: number;
  dependsOn?: string;
}

export function costRows(items: CostItem[]): CostRow[] {
  const rows = new Map<string, CostRow>();
  for (const i of items) {
    const key = `${i.description}\u0000${i.dependsOn ?? ""}`;
    const row = rows.get(key) ?? {
      description: i.description,
      count: 0,
      minUsd: 0,
      maxUsd: 0,
      dependsOn: i.dependsOn,
    };
    row.count += 1;
    row.minUsd = round(row.minUsd + i.minMonthlyUsd);
    row.maxUsd = round(row.maxUsd + i.maxMonthlyUsd);
    rows.set(key, row);
  }
  return [...rows.values()].sort((a, b) => b.maxUsd - a.maxUsd || a.description.localeCompare(b.description));
}

/** "$1.00", or "$1.00-3.00" for a range. */
export function usdRange(min: number, max: number): string {
  return max > min ? `$${min.toFixed(2)}-${max.toFixed(2)}` : `$${min.toFixed(2)}`;
}
