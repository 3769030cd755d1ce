/** How members look on screen: initials, and the colour the SDK gives each member. */
import { memberColor } from "@switchboard/client";

/**
 * The member's colour, the same for their avatar, their cursor in drafts and for every
 * viewer. The SDK's palette keeps white text above 4.5:1 contrast.
 */
export { memberColor };

/** Up to two initials: "Dana Scully" → "DS", "dana" → "D". */
export function initials(name: string): string {
	const words = name.trim().split(/\s+/).filter(Boolean);
	const letters = words.length > 1 ? [words[0], words[words.length - 1]] : words.slice(0, 1);
	return letters.map((word) => (word ? Array.from(word)[0]?.toUpperCase() : "")).join("") || "?";
}

/** A person's first name, for templates: the first word of their name. */
export function firstName(name: string): string {
	return name.trim().split(/\s+/)[0] ?? "";
}
