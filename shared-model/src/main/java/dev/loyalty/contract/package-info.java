/**
 * The public API's shape as plain data: which routes exist, their methods and path templates,
 * and which Lambda function serves each. Every consumer (functions, local runner, OpenAPI and
 * Terraform checks) reads this one table, so they cannot drift apart.
 */
package dev.loyalty.contract;
