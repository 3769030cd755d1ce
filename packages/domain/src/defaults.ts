/**
 * A component's configuration: its documented defaults (a `defaultXOptions` object, as
 * Hocuspocus' `defaultConfiguration`) with the overrides given. An override left
 * `undefined` keeps the default, as an inline `??` did.
 */
export function withDefaults<T extends object>(defaults: T, overrides: Partial<T> = {}): T {
	const merged = { ...defaults };
	for (const key of Object.keys(defaults) as (keyof T)[]) {
		const value = overrides[key];
		if (value !== undefined) merged[key] = value as T[keyof T];
	}
	return merged;
}
