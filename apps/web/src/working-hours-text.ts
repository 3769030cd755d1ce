/**
 * A board's working hours as its settings form shows and reads them: each weekday's
 * intervals as one line of text, "09:00–12:00, 13:00–17:30".
 */
import type { WorkingInterval } from "@switchboard/domain";

/** "09:00–12:00, 13:00–17:30" from intervals; "" for a day off. */
export function intervalsText(intervals: readonly WorkingInterval[]): string {
	return intervals.map((interval) => `${interval.start}–${interval.end}`).join(", ");
}

/**
 * Intervals from what was typed: comma-separated `start–end` (a hyphen, en dash or "to"),
 * each time as HH:MM or as people write it, "9", "9:30", "17h", "17.30". A part that is
 * not two times comes through as typed so the schema names it: "9-12-13-17" ends
 * "12-13-17", refused, rather than read as 9–12 with the afternoon silently dropped.
 */
export function parseIntervals(text: string): WorkingInterval[] {
	return text
		.split(/[,;]/)
		.map((part) => part.trim())
		.filter((part) => part.length > 0)
		.map((part) => {
			const dash = /\s*(?:-|–|—|\bto\b)\s*/.exec(part);
			if (!dash) return { start: clock(part), end: "" };
			const start = part.slice(0, dash.index);
			const end = part.slice(dash.index + dash[0].length);
			return { start: clock(start.trim()), end: clock(end.trim()) };
		});
}

/** "9" → "09:00", "9:30" and "9.30" → "09:30", "17h" → "17:00"; anything else as typed. */
function clock(time: string): string {
	const parts = /^(\d{1,2})(?:[:.h](\d\d)?)?$/i.exec(time);
	if (!parts) return time;
	return `${(parts[1] ?? "").padStart(2, "0")}:${parts[2] ?? "00"}`;
}
