/** Reading a Solid context that a provider above must have set. */
import { type Context, useContext } from "solid-js";

/**
 * The value of `context` from the nearest provider. Without one it throws, naming the reader
 * and the provider it needs: a component used outside its provider is a bug to fix, not a
 * state to handle.
 */
export function useRequiredContext<T>(
	context: Context<T | undefined>,
	reader: string,
	provider: string,
): T {
	const value = useContext(context);
	if (!value) throw new Error(`${reader}() is only available inside <${provider}>`);
	return value;
}
