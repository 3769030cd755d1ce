/** How the report tables show a cell. */
import type { Network, Priority, ReportColumn, ReportRecord } from "@switchboard/domain";
import { NETWORK_LABELS, PRIORITY_LABELS } from "./board-model.ts";
import { formatSeconds } from "./coverage-model.ts";
import { formatCount } from "./format.ts";

let percentFormat: Intl.NumberFormat | null = null;

/**
 * A cell as the tables show it. One formatter for every cell (`formatCount`, and one for
 * percentages): `toLocaleString` built one per call, 43 ms of opening Reports on a phone.
 */
export function cellText(
	value: ReportRecord[string],
	unit: ReportColumn["unit"],
	key?: string,
): string {
	if (value === null || value === undefined) return "–";
	if (typeof value === "string") {
		// Named as everywhere else in the app ("Twitter", "High"), not as stored.
		if (key === "network") return NETWORK_LABELS[value as Network] ?? value;
		if (key === "priority") return PRIORITY_LABELS[value as Priority] ?? value;
		return value;
	}
	switch (unit) {
		case "seconds":
			return formatSeconds(value);
		case "percent":
			percentFormat ??= new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
			return `${percentFormat.format(value)} %`;
		default:
			return formatCount(value);
	}
}
