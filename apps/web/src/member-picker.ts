/**
 * Choosing one member among many (a board of a thousand people): what the picker lists for
 * what was typed. A `<select>` of every member made each conversation page build a thousand
 * options and Coverage eight thousand (2.8 s on a phone with the CPU slowed 4×), and on a
 * phone the system's list of a thousand names has no search. The picker lists a few at a
 * time: those whose name has a word starting with what was typed, in the order given (the
 * caller's best first), then those with it anywhere in the name.
 */

/** One choice: the member's id and what the picker shows for them. */
export interface PickerOption {
	id: string;
	/** Their name, and what helps to choose (load, online), e.g. "Dana Reyes (2/5, online)". */
	label: string;
	/** Only the name, matched against what is typed and shown once chosen. */
	name: string;
}

/** How many the list shows at once. */
export const PICKER_SHOWN = 8;

/** Case, accents and spacing ignored: "Zoë" is found by "zoe". */
export function foldForSearch(text: string): string {
	return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().replace(/\s+/g, " ").trim();
}

/**
 * The options to list for `query`, at most `max`, and how many match in all: every option
 * (the first `max`) while nothing is typed.
 */
export function pickerMatches(
	options: readonly PickerOption[],
	query: string,
	max = PICKER_SHOWN,
): { shown: PickerOption[]; total: number } {
	const wanted = foldForSearch(query);
	if (!wanted) return { shown: options.slice(0, max), total: options.length };
	const starts: PickerOption[] = [];
	const inside: PickerOption[] = [];
	for (const option of options) {
		const name = foldForSearch(option.name);
		if (name.startsWith(wanted) || name.includes(` ${wanted}`)) starts.push(option);
		else if (name.includes(wanted)) inside.push(option);
	}
	const all = starts.concat(inside);
	return { shown: all.slice(0, max), total: all.length };
}

/**
 * The one member what was typed names: the one whose whole name it is, else the only one
 * `found` (its matches) holds; none for nothing typed, nobody or several.
 */
export function pickerNamed(
	options: readonly PickerOption[],
	typed: string,
	found: { shown: readonly PickerOption[]; total: number } = pickerMatches(options, typed),
): PickerOption | undefined {
	const wanted = foldForSearch(typed);
	if (!wanted) return undefined;
	const exact = options.find((option) => foldForSearch(option.name) === wanted);
	return exact ?? (found.total === 1 ? found.shown[0] : undefined);
}
