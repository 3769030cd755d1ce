/**
 * How to call a signed webhook source, as an admin copies it: the signature scheme in
 * words and a shell example (openssl + curl) that works as pasted.
 */

/** The scheme both directions use (incoming sources and outgoing deliveries). */
export const SIGNATURE_SCHEME =
	'X-Switchboard-Timestamp is the Unix time in seconds (within 5 minutes of the server\'s clock); X-Switchboard-Signature is "sha256=" followed by the hex HMAC-SHA256 of "<timestamp>.<raw body>" keyed with the secret.';

/** A word safe in a POSIX shell: single-quoted, with single quotes spelled out. */
export function shellQuote(text: string): string {
	return `'${text.replace(/'/g, `'"'"'`)}'`;
}

/**
 * A shell snippet that signs one example mention and POSTs it to `url`. The mention lands on
 * the live board, so it says it is a test and what to do with it: one that read like a
 * customer's ("Is the service down?") would be answered, or counted in a breach.
 */
export function signedCurlExample(options: { url: string; secret: string; now: Date }): string {
	const body = JSON.stringify({
		externalId: "example-1",
		author: { handle: "switchboard-test", name: "Webhook test", reach: 0 },
		text: "A test from the example on the webhook source's page: dismiss it.",
		postedAt: `${options.now.toISOString().slice(0, 19)}Z`,
	});
	return [
		`SECRET=${shellQuote(options.secret)}`,
		`TS=$(date +%s); BODY=${shellQuote(body)}`,
		`SIG=$(printf '%s.%s' "$TS" "$BODY" | openssl dgst -sha256 -hmac "$SECRET" -hex | sed 's/^.* //')`,
		`curl -s ${shellQuote(options.url)} -H "x-switchboard-timestamp: $TS" \\`,
		`  -H "x-switchboard-signature: sha256=$SIG" -H 'content-type: application/json' -d "$BODY"`,
	].join("\n");
}
