/**
 * Names in Redis. Instances of one deployment meet in Redis by name: the document channels
 * and locks of Hocuspocus' extension (`hocuspocus:<document>`), the revocation and
 * notification channels, the rate-limit counters. Two deployments on one Redis (staging
 * beside production, or two benchmark runs) would share all of them: document names repeat
 * across deployments (they are made of organisation and board ids), so one deployment's
 * board updates reached the other's sockets, and their rate-limit counts added up. A
 * logical database (`redis://host/2`) does not separate them: pub/sub channels are global
 * to a Redis server. `REDIS_PREFIX` does: every key and channel starts with it.
 */

/** `name` in the deployment's namespace: `prefix:name`, or `name` itself without a prefix. */
export function redisName(prefix: string | undefined, name: string): string {
	return prefix ? `${prefix}:${name}` : name;
}
