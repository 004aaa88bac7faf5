package dev.loyalty.functions.queue;

import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;

/** A partial batch response: only the records SQS should retry (transient failures). */
@RegisterForReflection
public record SqsBatchResponse(List<ItemFailure> batchItemFailures) {

    @RegisterForReflection
    public record ItemFailure(String itemIdentifier) {
    }
}
