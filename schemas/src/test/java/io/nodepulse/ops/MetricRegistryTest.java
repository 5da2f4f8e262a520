package io.nodepulse.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricRegistryTest {
    @Test
    void writesPrometheusText() {
        MetricRegistry r = new MetricRegistry();
        MetricRegistry.Counter sent = r.counter("np_events_sent_total", "Events acknowledged by Kafka.");
        MetricRegistry.Counter errors = r.counter("np_errors_total", "Errors by collector.", "collector");
        MetricRegistry.Gauge spool = r.gauge("np_spool_bytes", "Bytes in the spool.");
        r.gauge("np_up", "Always 1.", () -> 1);
        r.gaugeFamily("np_lag", "Lag by partition.", () -> Map.of(List.of("t", "0"), 12.0), "topic", "partition");
        sent.add(3);
        errors.inc("disk");
        errors.inc("disk");
        errors.inc("a\"b");
        spool.set(1.5);
        assertThat(r.scrape()).isEqualTo("""
                # HELP np_events_sent_total Events acknowledged by Kafka.
                # TYPE np_events_sent_total counter
                np_events_sent_total 3
                # HELP np_errors_total Errors by collector.
                # TYPE np_errors_total counter
                np_errors_total{collector="a\\"b"} 1
                np_errors_total{collector="disk"} 2
                # HELP np_spool_bytes Bytes in the spool.
                # TYPE np_spool_bytes gauge
                np_spool_bytes 1.5
                # HELP np_up Always 1.
                # TYPE np_up gauge
                np_up 1
                # HELP np_lag Lag by partition.
                # TYPE np_lag gauge
                np_lag{topic="t",partition="0"} 12
                """);
    }

    @Test
    void countersOnlyGoUpAndLabelsMustMatch() {
        MetricRegistry r = new MetricRegistry();
        MetricRegistry.Counter c = r.counter("c_total", "c", "a");
        assertThatThrownBy(() -> c.add(-1, "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.inc()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> r.counter("bad name", "x")).isInstanceOf(IllegalArgumentException.class);
    }
}
