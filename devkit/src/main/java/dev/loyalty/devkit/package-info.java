/**
 * Local stand-ins for AWS services, shared by the tests and the local runner so both start
 * the same real servers the same way. Tables are created from the definition files in
 * {@code infra-terraform/tables/}, the ones Terraform reads, so local and AWS cannot drift.
 */
package dev.loyalty.devkit;
