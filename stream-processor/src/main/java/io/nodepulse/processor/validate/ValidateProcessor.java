package io.nodepulse.processor.validate;

import io.nodepulse.processor.PipelineMetrics;
import io.nodepulse.schema.NodeMetrics;
import io.nodepulse.wire.AvroSerde;
import io.nodepulse.wire.Fingerprints;
import io.nodepulse.wire.WireFormatException;
import java.util.Locale;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes the raw bytes of an agent's record and checks them. Anything wrong becomes a REJECTED record with
 * the dead-letter headers set; the stream goes on. Valid events leave with their event time as the record
 * timestamp, so metrics.valid and late carry it: the rollup application reads both topics in one task, and Kafka
 * Streams takes the next record from the partition whose head has the lowest timestamp, which keeps its
 * 1-hour windows fed in event-time order after an outage (agents replay their spools with send times seconds
 * apart). Rejected records keep their arrival timestamp.
 */
public final class ValidateProcessor implements FixedKeyProcessor<byte[], byte[], Checked> {
    private static final Logger log = LoggerFactory.getLogger(ValidateProcessor.class);

    private final AvroSerde<NodeMetrics> serde;
    private final Validator validator;
    private final PipelineMetrics metrics;
    private FixedKeyProcessorContext<byte[], Checked> context;
    private long rejected;

    public ValidateProcessor(AvroSerde<NodeMetrics> serde, Validator validator, PipelineMetrics metrics) {
        this.serde = serde;
        this.validator = validator;
        this.metrics = metrics;
    }

    @Override
    public void init(FixedKeyProcessorContext<byte[], Checked> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<byte[], byte[]> record) {
        byte[] raw = record.value();
        if (raw == null || raw.length == 0) {
            reject(record, null, new Problem(Problem.MALFORMED, "empty record value"), null);
            return;
        }
        NodeMetrics event;
        try {
            event = serde.deserialize(context.recordMetadata().map(m -> m.topic()).orElse(null), raw);
        } catch (WireFormatException e) {
            String reason = e.kind().name().toLowerCase(Locale.ROOT).replace('_', '-');
            reject(record, null, new Problem(reason, e.getMessage()),
                    e.fingerprint() == null ? null : Fingerprints.hex(e.fingerprint()));
            return;
        }
        Problem p = validator.check(record.key(), event, context.currentSystemTimeMs());
        if (p != null) {
            reject(record, event, p, null);
            return;
        }
        context.forward(record.withValue(Checked.accepted(raw, event))
                .withTimestamp(event.getEventTime().toEpochMilli()));
    }

    private void reject(FixedKeyRecord<byte[], byte[]> record, NodeMetrics event, Problem problem,
                        String fingerprint) {
        metrics.events.inc("rejected");
        metrics.dlq.inc(problem.reason());
        if (rejected++ % 1000 == 0) {
            log.warn("rejected a record to the dead-letter topic ({} so far in this task): {}: {} at {}",
                    rejected, problem.reason(), problem.detail(), DlqHeaders.describe(context.recordMetadata()));
        }
        context.forward(record.withValue(Checked.rejected(record.value(), event))
                .withHeaders(DlqHeaders.build(record.headers(), problem, context.recordMetadata().orElse(null),
                        fingerprint, context.applicationId())));
    }
}
