/**
 * The local runner: the whole system on one machine, with the same code paths as on AWS.
 *
 * <p>Rules: each function runs as its packaged Lambda artifact in its own JVM, polling a local
 * Lambda Runtime API ({@link dev.loyalty.local.RuntimeApi}); the front door does API Gateway's
 * job (JWT check with the local HS256 secret, route match, payload 2.0 event) and nothing
 * more, so behaviour seen locally is behaviour on AWS. Migrations run once at start through
 * the migrate function, never inside the others.
 */
package dev.loyalty.local;
