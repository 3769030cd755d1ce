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

/** A shell snippet that signs one example mention and POSTs it to `url`. */
export function signedCurlExample(options: { url: string; secret: string; now: Date }): string {
	const body = JSON.stringify({
		externalId: "example-1",
		author: { handle: "jo", name: "Jo", reach: 42 },
		text: "Is the service down?",
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
