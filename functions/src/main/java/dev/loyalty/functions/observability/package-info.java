/**
 * Observability: metrics in CloudWatch Embedded Metric Format on stdout, and the request
 * fields (request id, route, member id, outcome) in the log context of every line a request
 * writes. Tokens and request bodies are never logged.
 */
package dev.loyalty.functions.observability;
