package dev.loyalty.functions.queue;

import dev.loyalty.functions.observability.Emf;
import io.quarkus.funqy.Funq;

import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Lambda {@code earn-queue}: the SQS event source mapping delivers a batch of partner earn
 * events; the answer is a partial batch response listing only transient failures (the event
 * source mapping has {@code ReportBatchItemFailures} on).
 */
public class QueueEarnFunction {
    private static final Logger LOG = Logger.getLogger(QueueEarnFunction.class);
    private final QueueEarnService service;

    public QueueEarnFunction(QueueEarnService service) {
        this.service = service;
    }

    @Funq("earn-queue")
    public SqsBatchResponse earnQueue(SqsEvent event) {
        QueueEarnService.BatchReport report = service.process(event);
        LOG.infof("earn batch: %d records, %d applied, %d duplicates, %d parked, %d to retry, one transaction: %s",
                report.records(), report.applied(), report.duplicates(), report.parked(), report.retry().size(),
                report.batched());
        Emf.emit(Map.of("Function", "earn-queue"), Map.of("RecordsApplied", (long) report.applied(),
                "RecordsParked", (long) report.parked(), "RecordsRetried", (long) report.retry().size(),
                "Duplicates", (long) report.duplicates()));
        return new SqsBatchResponse(report.retry().stream().map(SqsBatchResponse.ItemFailure::new).toList());
    }
}
